import { type Command } from 'commander';
import { type StickinessExplanation } from '@ledger/assignment';
import { type AuditAnswer, renderAuditTrail, renderExplanation } from './audit.render';
import { globalOptions, ledgerClient, print, printJson, withConnectionOptions } from './cli-context';
import { CliError, EXIT } from './cli-error';
import { segment } from './ledger-http.client';

export function addAuditCommands(program: Command): void {
  withConnectionOptions(program.command('audit'))
    .description("a unit's audit trail: every save, superseded save, delete and erasure, with its cause and outcome")
    .argument('<key>', 'the persistence key, <unitID>:<idType>')
    .action(async (key: string, _options: object, command: Command) => {
      const answer = await ledgerClient(command).get<AuditAnswer>(`/v1/audit/${segment(key)}`);
      if (globalOptions(command).json) return printJson(answer);
      print(renderAuditTrail(answer));
    });

  withConnectionOptions(program.command('explain'))
    .description('why a unit is (or is not) sticky in an experiment, and what an evaluation now would make of it')
    .argument('<key>', 'the persistence key, <unitID>:<idType>')
    .argument('<experiment>', 'the experiment (its config name)')
    .option('--as-of <time>', 'explain the history up to this moment (ISO-8601)', isoTime)
    .action(async (key: string, experiment: string, options: { asOf?: string }, command: Command) => {
      const query = options.asOf ? `?asOf=${encodeURIComponent(options.asOf)}` : '';
      const answer = await ledgerClient(command).get<StickinessExplanation>(`/v1/audit/${segment(key)}/${segment(experiment)}/explain${query}`);
      if (globalOptions(command).json) return printJson(answer);
      print(renderExplanation(answer));
    });
}

function isoTime(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new CliError(`not an ISO-8601 time: ${value}`, EXIT.usage);
  }
  return value;
}
