/** Formatting the audit texts share: UTC, fixed precision, no locale, so a sentence is the same on every machine. */

/** "20.00 %": allocation shares carry two decimals. */
export const formatPercent = (percent: number): string => `${percent.toFixed(2)} %`;

/** The UTC day of an RFC 3339 time: "2026-03-02". */
export const formatDay = (time: string): string => new Date(time).toISOString().slice(0, 10);

/** An RFC 3339 time in UTC with milliseconds. */
export const formatMoment = (time: string): string => new Date(time).toISOString();

/** The unit id of a persistence key `<unitID>:<idType>` (an id type holds no colon, a unit id may). */
export const unitIdOfKey = (key: string): string => {
  const colon = key.lastIndexOf(':');
  return colon < 0 ? key : key.slice(0, colon);
};

/** The id type of a persistence key. */
export const idTypeOfKey = (key: string): string => {
  const colon = key.lastIndexOf(':');
  return colon < 0 ? '' : key.slice(colon + 1);
};
