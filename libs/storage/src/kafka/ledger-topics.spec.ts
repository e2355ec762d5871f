import { type Admin } from 'kafkajs';
import { ensureLedgerTopics, ledgerTopics } from './ledger-topics';

describe('creating the ledger topics', () => {
  it("names the broker's reason for each topic it refused, where kafkajs says only that some were", async () => {
    const refusal = Object.assign(new Error('Topic creation errors'), {
      errors: [{ topic: 'ledger.events', message: 'Replication factor: 3 larger than available brokers: 1.' }],
    });
    const admin = { listTopics: async () => ['ledger.events.dead-letter'], createTopics: async () => Promise.reject(refusal) } as unknown as Admin;
    await expect(ensureLedgerTopics(admin, ledgerTopics('ledger.events'), 6)).rejects.toThrow('could not create ledger.events: ledger.events: Replication factor: 3 larger than available brokers: 1.');
  });

  it('creates nothing when both topics exist', async () => {
    const createTopics = jest.fn();
    const admin = { listTopics: async () => ['ledger.events', 'ledger.events.dead-letter'], createTopics } as unknown as Admin;
    await ensureLedgerTopics(admin, ledgerTopics('ledger.events'), 6);
    expect(createTopics).not.toHaveBeenCalled();
  });
});
