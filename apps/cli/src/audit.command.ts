import { type Command } from 'commander';
import { type StickinessExplanation } from '@ledger/assignment';
import { type AuditAnswer, renderAuditTrail, renderExplanation } from './audit.render';
import { globalOptions, ledgerClient, positiveInteger, print, printJson, withConnectionOptions } from './cli-context';
import { CliError, EXIT } from './cli-error';
import { type LedgerHttpClient, segment } from './ledger-http.client';

/** The most entries the audit route answers in one page. */
const MAX_AUDIT_PAGE = 1000;

export function addAuditCommands(program: Command): void {
  withConnectionOptions(program.command('audit'))
    .description("a unit's audit trail: every save, superseded save, delete and erasure, with its cause and outcome")
    .argument('<key>', 'the persistence key, <unitID>:<idType>')
    .option('--experiment <name>', "only this experiment's entries (and erasures)")
    .option('--page-size <n>', 'entries per call; the whole trail is printed, page after page', pageSize, MAX_AUDIT_PAGE)
    .action(async (key: string, options: { experiment?: string; pageSize: number }, command: Command) => {
      const answer = await wholeTrail(ledgerClient(command), key, options);
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

/** Every page of the trail, followed by its cursor, answered in the route's own shape (with no cursor left). */
async function wholeTrail(client: LedgerHttpClient, key: string, options: { experiment?: string; pageSize: number }): Promise<AuditAnswer> {
  const entries: AuditAnswer['entries'] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: String(options.pageSize) });
    if (options.experiment !== undefined) query.set('experiment', options.experiment);
    if (cursor !== null) query.set('cursor', cursor);
    const page: AuditAnswer = await client.get<AuditAnswer>(`/v1/audit/${segment(key)}?${query.toString()}`);
    entries.push(...page.entries);
    // A page without entries ends the walk too, so a ledger answering a cursor it cannot advance is never followed for ever.
    cursor = page.entries.length > 0 ? page.nextCursor : null;
  } while (cursor !== null);
  return { key, entries, nextCursor: null };
}

function pageSize(value: string): number {
  const size = positiveInteger(value);
  if (size > MAX_AUDIT_PAGE) throw new CliError(`a page holds at most ${MAX_AUDIT_PAGE} entries: ${value}`, EXIT.usage);
  return size;
}
