import { FormatRegistry } from '@sinclair/typebox';

// TypeBox checks no string format until one is registered; these are the two the events use.
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Events of one millisecond share the text of their time, so the last valid one is checked only once. */
let lastValidDateTime = '';

function isDateTime(value: string): boolean {
  if (value === lastValidDateTime) return true;
  if (!DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) return false;
  lastValidDateTime = value;
  return true;
}

export function registerEventFormats(): void {
  if (!FormatRegistry.Has('uuid')) FormatRegistry.Set('uuid', (value) => UUID.test(value));
  if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', isDateTime);
}
