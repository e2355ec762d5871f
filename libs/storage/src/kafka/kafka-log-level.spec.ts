import { kafkaLogLevel } from './kafka-log-level';

/** kafkajs's own table of the broker's error codes, read only here: a kafkajs that renames one fails this test. */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- an untyped module inside kafkajs, not its public API
const { errorCodes } = require('kafkajs/src/protocol/error') as { errorCodes: Array<{ type: string; message: string }> };
const textOf = (type: string): string => {
  const entry = errorCodes.find((candidate) => candidate.type === type);
  if (!entry) throw new Error(`kafkajs no longer knows ${type}`);
  return entry.message;
};

describe("kafkajs's log entries at the level they deserve", () => {
  it.each([
    'GROUP_LOAD_IN_PROGRESS',
    'GROUP_COORDINATOR_NOT_AVAILABLE',
    'NOT_COORDINATOR_FOR_GROUP',
    'LEADER_NOT_AVAILABLE',
    'NOT_LEADER_FOR_PARTITION',
    'UNKNOWN_TOPIC_OR_PARTITION',
    'NOT_CONTROLLER',
    'REBALANCE_IN_PROGRESS',
    'MEMBER_ID_REQUIRED',
    'TOPIC_ALREADY_EXISTS',
  ])('an error answer %s, which a starting cluster or group gives and kafkajs gets past, is a debug line', (type) => {
    expect(kafkaLogLevel('error', 'Connection', 'Response InitProducerId(key: 22, version: 1)', textOf(type))).toBe('debug');
  });

  it('the answer to a second app creating the same topics at once is a debug line', () => {
    expect(kafkaLogLevel('error', 'Connection', 'Response CreateTopics(key: 19, version: 3)', 'Topic creation errors')).toBe('debug');
  });

  it.each(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION'])('an error answer %s, after which the member rejoins, is a warning', (type) => {
    expect(kafkaLogLevel('error', 'Connection', 'Response Heartbeat(key: 12, version: 3)', textOf(type))).toBe('warn');
  });

  it.each([
    ['Connection', 'Connection error: connect ECONNREFUSED 127.0.0.1:9092'],
    ['Connection', 'Connection timeout'],
    ['BrokerPool', 'Failed to connect to seed broker, trying another broker from the list: Connection error: connect ECONNREFUSED'],
    ['BrokerPool', 'Failed to connect to broker, reconnecting'],
    ['Producer', 'Failed to send messages: This server is not the leader for that topic-partition'],
    ['Runner', 'The coordinator is not aware of this member, re-joining the group'],
  ])('what kafkajs retries itself (%s: %s) is a warning', (namespace, message) => {
    expect(kafkaLogLevel('error', namespace, message)).toBe('warn');
  });

  it('keeps the level of anything else: an answer that is a real refusal, a crash, or a line below warning', () => {
    expect(kafkaLogLevel('error', 'Connection', 'Response Produce(key: 0, version: 7)', textOf('MESSAGE_TOO_LARGE'))).toBe('error');
    expect(kafkaLogLevel('error', 'Consumer', 'Crash: KafkaJSNumberOfRetriesExceeded: The coordinator is not available')).toBe('error');
    expect(kafkaLogLevel('error', 'Consumer', 'Restarting the consumer in 3000ms')).toBe('error');
    expect(kafkaLogLevel('info', 'Consumer', 'Starting')).toBe('info');
    expect(kafkaLogLevel('warn', 'Connection', 'Response Metadata(key: 3, version: 6)', textOf('TOPIC_ALREADY_EXISTS'))).toBe('debug');
  });
});
