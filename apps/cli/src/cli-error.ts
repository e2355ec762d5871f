/** A failure the CLI reports as one line on stderr, with the exit code scripts branch on. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const EXIT = {
  ok: 0,
  /** The ledger, the broker or the database refused or did not answer. */
  failed: 1,
  /** The command line or the configuration is wrong. */
  usage: 2,
  /** The rebuilt read model differed from the live one and was not swapped in. */
  differences: 3,
} as const;

/** The one line printed for any error: its message, without a stack. */
export const oneLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ').trim();
