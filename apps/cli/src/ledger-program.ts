import { Command } from 'commander';
import { addAuditCommands } from './audit.command';
import { addExperimentCommands } from './experiments.command';
import { addKeyCommands } from './keys.command';
import { addRebuildCommand } from './rebuild.command';
import { addTailCommand } from './tail.command';

/** The `ledger` command line: every command, its options and its help. */
export function ledgerProgram(): Command {
  const program = new Command('ledger')
    .description('Operate the assignment ledger: audit units, explain stickiness, follow the log, rebuild, manage experiments and API keys.')
    // Set before the commands are added, so each of them inherits it: errors end in our handler, not process.exit.
    .exitOverride()
    // Each command takes its own options after its name: `tail --key` filters by persistence key, where the
    // commands calling the HTTP API take `--key` for the API key.
    .enablePositionalOptions();
  addAuditCommands(program);
  addTailCommand(program);
  addRebuildCommand(program);
  addExperimentCommands(program);
  addKeyCommands(program);
  return program;
}
