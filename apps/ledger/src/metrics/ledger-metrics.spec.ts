import { InvalidEventError } from '@ledger/events';
import { DeadlineExceededError, ServiceMetrics } from '@ledger/platform';
import { appendFailureOf } from '@ledger/ledger';
import { LedgerMetrics } from './ledger-metrics';

describe("the ledger's own series", () => {
  it('names why an append failed by the error it failed with', () => {
    expect(appendFailureOf(new InvalidEventError('StickyValueSaved.v2 /data/configName: too short'))).toBe('invalid_event');
    expect(appendFailureOf(new DeadlineExceededError('the Kafka broker', 2000))).toBe('timeout');
    expect(appendFailureOf(Object.assign(new Error('Connection error: connect ECONNREFUSED'), { name: 'KafkaJSConnectionError' }))).toBe('broker_unavailable');
  });

  it('counts appends by event type and failures by reason, every reason shown from the start', async () => {
    const metrics = new ServiceMetrics('ledger', false);
    const ledger = new LedgerMetrics(metrics);
    ledger.appendSucceeded('StickyValueSaved');
    ledger.appendSucceeded('StickyValueSaved');
    ledger.appendSucceeded('StickyValueDeleted');
    ledger.appendFailed('deadline');
    const text = await metrics.scrape();
    expect(text).toContain('assignment_ledger_events_appended_total{type="StickyValueSaved",app="ledger"} 2');
    expect(text).toContain('assignment_ledger_events_appended_total{type="StickyValueDeleted",app="ledger"} 1');
    expect(text).toContain('assignment_ledger_appends_failed_total{reason="deadline",app="ledger"} 1');
    for (const reason of ['invalid_event', 'timeout', 'broker_unavailable']) expect(text).toContain(`assignment_ledger_appends_failed_total{reason="${reason}",app="ledger"} 0`);
  });
});
