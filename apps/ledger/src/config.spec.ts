import { ConfigError } from '@ledger/platform';
import { loadLedgerConfig } from './config';

const required = { KAFKA_BROKERS: '127.0.0.1:9092' };

describe('ledger configuration: the CloudEvents source', () => {
  it('defaults to a URN naming the topic', () => {
    expect(loadLedgerConfig(required).eventSource).toBe('urn:assignment-ledger:assignment-ledger.sticky-values');
    expect(loadLedgerConfig({ ...required, LEDGER_TOPIC: 'eu.sticky' }).eventSource).toBe('urn:assignment-ledger:eu.sticky');
  });

  it('takes an absolute URI from LEDGER_EVENT_SOURCE', () => {
    expect(loadLedgerConfig({ ...required, LEDGER_EVENT_SOURCE: 'https://ledger.example.com/eu-1' }).eventSource).toBe('https://ledger.example.com/eu-1');
  });

  it.each(['ledger-eu', '/relative/path', 'urn:has space'])('refuses %j, which is no absolute URI', (source) => {
    expect(() => loadLedgerConfig({ ...required, LEDGER_EVENT_SOURCE: source })).toThrow(ConfigError);
    expect(() => loadLedgerConfig({ ...required, LEDGER_EVENT_SOURCE: source })).toThrow(/LEDGER_EVENT_SOURCE/);
  });
});
