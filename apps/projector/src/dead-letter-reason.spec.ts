import { decodeLedgerEvent, InvalidEventError } from '@ledger/events';
import { savedEvent, stickyValueFor } from '@ledger/testing';
import { refusalReason } from '@ledger/ledger';
import { deadLetterReasonClass } from './dead-letter-reason';

/** The reason the projector's decoding gives for a record, as the dead letter carries it. */
function reasonFor(value: string | null): string {
  try {
    decodeLedgerEvent(value === null ? null : Buffer.from(value));
  } catch (error) {
    if (error instanceof InvalidEventError) return error.reason;
    throw error;
  }
  throw new Error('the record was valid');
}

describe('dead letters by kind of reason', () => {
  const valid = savedEvent('unit-1:userID', 'exp', 'Control');

  it.each([
    ['a record without a value', null, 'no_value'],
    ['bytes that are not JSON', '{not json', 'not_json'],
    ['JSON that is not an object', '"text"', 'contract'],
    ['an event type or version nobody defined', JSON.stringify({ ...valid, version: 9 }), 'unknown_version'],
    ['a field breaking its schema', JSON.stringify({ ...valid, data: { ...valid.data, configName: '' } }), 'contract'],
    [
      'a version 1 record beyond what version 2 carries',
      JSON.stringify({
        type: 'StickyValueSaved',
        version: 1,
        data: { persistenceKey: 'unit-1:userID', configName: 'exp', stickyValues: { ...stickyValueFor('Control'), rule_id: 'a\u0000b' } },
        metadata: { eventId: '0c5b2f4e-5f2a-4c47-9a55-6f1d2e3c4b5a', occurredAt: '2026-11-25T10:00:00.000Z', caller: { apiKeyId: null }, correlationId: 'old', source: 'storage_api' },
      }),
      'contract',
    ],
  ])('%s is %s', (_what, value, kind) => {
    expect(deadLetterReasonClass(reasonFor(value))).toBe(kind);
  });

  it('a record Postgres refused is refused_by_read_model, whatever the message', () => {
    expect(deadLetterReasonClass(refusalReason(Object.assign(new Error('value too long for type character varying(200)'), { code: '22001' })))).toBe('refused_by_read_model');
  });
});
