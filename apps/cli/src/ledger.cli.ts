#!/usr/bin/env node
/**
 * The operator CLI, `ledger` (`npx ledger --help`). Exit codes: 0 done, 1 the ledger, the broker or the
 * database failed or refused, 2 a wrong command line or configuration, 3 a rebuild found differences and
 * kept the live read model.
 */
import { CommanderError } from 'commander';
import { CliError, EXIT, oneLine } from './cli-error';
import { ledgerProgram } from './ledger-program';

void ledgerProgram()
  .parseAsync(process.argv)
  .then(
    () => EXIT.ok,
    (error: unknown) => {
      if (error instanceof CommanderError) {
        // Commander has printed the message (or the help) already.
        return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
      }
      process.stderr.write(`ledger: ${oneLine(error)}\n`);
      return error instanceof CliError ? error.exitCode : EXIT.failed;
    },
  )
  // Exits at once: idle keep-alive sockets and Kafka clients being closed must not hold the answer back.
  .then((code) => process.exit(process.exitCode === undefined || process.exitCode === 0 ? code : process.exitCode));
