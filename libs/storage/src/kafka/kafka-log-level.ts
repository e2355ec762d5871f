export type LogLevelName = 'error' | 'warn' | 'info' | 'debug';

/**
 * Error answers the broker gives while a cluster, a topic or a group is settling, which kafkajs retries or
 * takes as success itself (a topic that already exists is what `createTopics` wanted), keyed by kafkajs's
 * text for them: part of a normal start or rebalance, so debug lines. kafkajs logs every error answer at
 * error level before deciding what to do with it.
 */
const SETTLING_ANSWERS = new Set([
  "The coordinator is loading and hence can't process requests for this group",
  'The group coordinator is not available',
  'This is not the correct coordinator for this group',
  'There is no leader for this topic-partition as we are in the middle of a leadership election',
  'This server is not the leader for that topic-partition',
  'This server does not host this topic-partition',
  'This is not the correct controller for this cluster',
  'The group is rebalancing, so a rejoin is needed',
  'The group member needs to have a valid member id before actually entering a consumer group',
  'Topic with this name already exists',
]);

/**
 * kafkajs's text for any CreateTopics answer with a per-topic error. Two apps creating the topics at once get
 * it for TOPIC_ALREADY_EXISTS, which kafkajs takes as success; any other refusal fails `ensureLedgerTopics`,
 * which names the broker's reasons, so this line adds nothing at error level.
 */
const TOPIC_CREATION_ANSWER = 'Topic creation errors';

/** Answers after which the member rejoins its group: worth seeing (its session lapsed), not an error. */
const REJOIN_ANSWERS = new Set(['The coordinator is not aware of this member', 'Specified group generation id is not valid']);

/** Conditions kafkajs retries itself (reconnecting, resending); if they last, the caller's bound turns them into a 503 or a failed boot. */
const RETRIED_MESSAGES = [
  /^Connection error: /,
  /^Connection timeout$/,
  /^Failed to connect to seed broker/,
  /^Failed to connect to broker, reconnecting$/,
  /^Failed to send messages: /,
  /^The coordinator is not aware of this member, re-joining the group$/,
];

/** The level a kafkajs log entry deserves in the service's log, from its namespace, message and error text. */
export function kafkaLogLevel(level: LogLevelName, namespace: string, message: string, error?: unknown): LogLevelName {
  if (level !== 'error' && level !== 'warn') return level;
  if (namespace === 'Connection' && message.startsWith('Response ') && typeof error === 'string') {
    if (SETTLING_ANSWERS.has(error)) return 'debug';
    if (error === TOPIC_CREATION_ANSWER && message.startsWith('Response CreateTopics')) return 'debug';
    if (REJOIN_ANSWERS.has(error)) return 'warn';
  }
  if (RETRIED_MESSAGES.some((pattern) => pattern.test(message))) return 'warn';
  return level;
}
