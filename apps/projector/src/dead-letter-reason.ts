import { REFUSED_BY_READ_MODEL } from '@ledger/ledger';

/**
 * What kind of refusal a dead letter's reason is, for a metric label: a small fixed set, where the reason
 * itself (the header the letter carries) names paths and values from the record.
 */
export type DeadLetterReasonClass = 'no_value' | 'not_json' | 'unknown_version' | 'contract' | 'refused_by_read_model';

export const DEAD_LETTER_REASON_CLASSES: readonly DeadLetterReasonClass[] = ['no_value', 'not_json', 'unknown_version', 'contract', 'refused_by_read_model'];

/** Reads the reasons libs/events and the writer give (their tests pin the wording this relies on). */
export function deadLetterReasonClass(reason: string): DeadLetterReasonClass {
  if (reason === 'record has no value') return 'no_value';
  if (reason === 'record value is not JSON') return 'not_json';
  if (reason.startsWith('unknown event type/version')) return 'unknown_version';
  if (reason.startsWith(REFUSED_BY_READ_MODEL)) return 'refused_by_read_model';
  // Not an object, a schema failure, or a v1 record beyond what v2 carries.
  return 'contract';
}
