import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { testInfrastructure } from '@ledger/testing';
import { ensureLedgerTopics, ledgerTopics } from '../src/kafka/ledger-topics';

describe("the ledger's topics", () => {
  it('are created once when several processes start at the same moment, and each of them goes on', async () => {
    const { brokers } = testInfrastructure();
    const topics = ledgerTopics(`test.topics_race_${randomBytes(4).toString('hex')}.sticky-values`);
    const admins = Array.from({ length: 4 }, () => new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin());
    await Promise.all(admins.map((admin) => admin.connect()));
    try {
      await expect(Promise.all(admins.map((admin) => ensureLedgerTopics(admin, topics, 3)))).resolves.toHaveLength(4);
      const metadata = await admins[0]!.fetchTopicMetadata({ topics: [topics.events, topics.deadLetters] });
      expect(new Map(metadata.topics.map((topic) => [topic.name, topic.partitions.length]))).toEqual(
        new Map([
          [topics.events, 3],
          [topics.deadLetters, 1],
        ]),
      );
      await admins[0]!.deleteTopics({ topics: [topics.events, topics.deadLetters] });
    } finally {
      await Promise.all(admins.map((admin) => admin.disconnect()));
    }
  });
});
