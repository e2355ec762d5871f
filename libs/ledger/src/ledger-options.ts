/** What the ledger module needs to know of the deployment; a service's validated config satisfies it. */
export interface LedgerOptions {
  /** Bound on every call to the broker or the database: past it, a 503 instead of a hang. */
  dependencyTimeoutMs: number;
  /** How long a write waits for the read model to apply it before answering PROJECTION_LAG. */
  readYourWritesTimeoutMs: number;
  /** The CloudEvents `source` every appended record names. */
  eventSource: string;
  database: { url: string };
  kafka: { topic: string; projectorGroupId: string };
}

export const LEDGER_OPTIONS = Symbol('LEDGER_OPTIONS');
