import { type Command, Option } from 'commander';
import { CliError, EXIT } from './cli-error';
import { LedgerHttpClient } from './ledger-http.client';

/** The options of the commands that call the ledger's HTTP API (`tail` and `rebuild` take the ones they need). */
export interface GlobalOptions {
  url: string;
  key?: string;
  timeout: number;
  json: boolean;
}

export const globalOptions = (command: Command): GlobalOptions => command.optsWithGlobals<GlobalOptions>();

/** --url, --key, --timeout and --json, on each command that calls the ledger. */
export function withConnectionOptions(command: Command): Command {
  return withOutputOptions(
    command.addOption(new Option('--url <url>', "the ledger's HTTP address").env('LEDGER_URL').default('http://127.0.0.1:8080')).addOption(new Option('--key <key>', 'API key').env('LEDGER_API_KEY')),
  );
}

/** --timeout and --json. */
export function withOutputOptions(command: Command): Command {
  return command
    .addOption(new Option('--timeout <ms>', 'deadline of each call to the ledger or the broker').default(5000).argParser(positiveInteger))
    .option('--json', 'JSON for scripts instead of tables', false);
}

export function positiveInteger(value: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(value)) throw new CliError(`not a positive whole number: ${value}`, EXIT.usage);
  return Number(value);
}

export const ledgerClient = (command: Command): LedgerHttpClient => new LedgerHttpClient(globalOptions(command));

export const print = (text: string): void => void process.stdout.write(`${text}\n`);

/** One JSON document per command (one per line for `tail`), for scripts. */
export const printJson = (value: unknown): void => print(JSON.stringify(value));
