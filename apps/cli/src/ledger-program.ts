import { Command, Option } from 'commander';
import { addAuditCommands } from './audit.command';
import { addExperimentCommands, positiveInteger } from './experiments.command';
import { addKeyCommands } from './keys.command';
import { addRebuildCommand } from './rebuild.command';
import { addTailCommand } from './tail.command';

/** The `ledger` command line: every command, its options and its help. */
export function ledgerProgram(): Command {
  const program = new Command('ledger')
    .description('Operate the assignment ledger: audit units, explain stickiness, follow the log, rebuild, manage experiments and API keys.')
    // Set before the commands are added, so each of them inherits it: errors end in our handler, not process.exit.
    .exitOverride()
    .configureHelp({ showGlobalOptions: true })
    .addOption(new Option('--url <url>', "the ledger's HTTP address").env('LEDGER_URL').default('http://127.0.0.1:8080'))
    .addOption(new Option('--key <key>', 'API key').env('LEDGER_API_KEY'))
    .addOption(new Option('--timeout <ms>', 'deadline of each call to the ledger or the broker').default(5000).argParser(positiveInteger))
    .option('--json', 'JSON for scripts instead of tables (tail: one event per line)', false);
  addAuditCommands(program);
  addTailCommand(program);
  addRebuildCommand(program);
  addExperimentCommands(program);
  addKeyCommands(program);
  return program;
}
