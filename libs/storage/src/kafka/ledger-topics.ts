import { type Admin, type ITopicConfig } from 'kafkajs';

export interface LedgerTopics {
  events: string;
  deadLetters: string;
}

export const ledgerTopics = (eventsTopic: string): LedgerTopics => ({ events: eventsTopic, deadLetters: `${eventsTopic}.dead-letter` });

/**
 * Creates the ledger's topics when they are missing. The events topic is the source of truth, so it is
 * never compacted or expired: a rebuild replays it from offset 0.
 *
 * Both apps call this at start, so either may start first. When both create a topic at once the broker
 * answers one of them TOPIC_ALREADY_EXISTS, which kafkajs takes as success (and kafkaLogLevel makes its
 * log line of that answer a debug line).
 */
export async function ensureLedgerTopics(admin: Admin, topics: LedgerTopics, partitions: number): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const wanted: ITopicConfig[] = [
    { topic: topics.events, numPartitions: partitions, configEntries: [{ name: 'retention.ms', value: '-1' }] },
    { topic: topics.deadLetters, numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '-1' }] },
  ].filter((topic) => !existing.has(topic.topic));
  if (wanted.length === 0) return;
  try {
    await admin.createTopics({ topics: wanted, waitForLeaders: true });
  } catch (error) {
    // kafkajs says only "Topic creation errors"; the broker's reason for each topic is what an operator needs.
    const reasons = (error as { errors?: Array<{ topic?: string; message?: string }> }).errors?.map((each) => `${each.topic}: ${each.message}`);
    throw new Error(`could not create ${wanted.map(({ topic }) => topic).join(', ')}: ${reasons?.length ? reasons.join('; ') : (error as Error).message}`);
  }
}
