/** What changed between two published versions of an experiment, field by field, for the audit trail. */
export type ExperimentDiff = Record<string, { from: unknown; to: unknown }>;

export function diffSpecs(previous: Record<string, unknown> | null, next: Record<string, unknown>): ExperimentDiff {
  const diff: ExperimentDiff = {};
  const fields = new Set([...Object.keys(previous ?? {}), ...Object.keys(next)]);
  for (const field of [...fields].sort()) {
    const from = previous?.[field];
    const to = next[field];
    if (canonical(from) !== canonical(to)) diff[field] = { from: from ?? null, to: to ?? null };
  }
  return diff;
}

/** JSON with object keys sorted, so a stored spec (whose keys the database may reorder) compares by content. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
