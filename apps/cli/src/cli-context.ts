import { type Command } from 'commander';
import { LedgerHttpClient } from './ledger-http.client';

/** The options every command takes (given before or after the command's name). */
export interface GlobalOptions {
  url: string;
  key?: string;
  timeout: number;
  json: boolean;
}

export const globalOptions = (command: Command): GlobalOptions => command.optsWithGlobals<GlobalOptions>();

export const ledgerClient = (command: Command): LedgerHttpClient => new LedgerHttpClient(globalOptions(command));

export const print = (text: string): void => void process.stdout.write(`${text}\n`);

/** One JSON document per command (one per line for `tail`), for scripts. */
export const printJson = (value: unknown): void => print(JSON.stringify(value));
