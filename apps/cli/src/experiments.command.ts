import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { type Command } from 'commander';
import { type ExperimentDiff } from '@ledger/assignment';
import { globalOptions, ledgerClient, positiveInteger, print, printJson, withConnectionOptions } from './cli-context';
import { CliError, EXIT } from './cli-error';
import { segment } from './ledger-http.client';
import { renderTable } from './table.render';
import type { PublishedExperiment } from '../../ledger/src/experiments/experiments.repository';

interface ExperimentSummary {
  name: string;
  version: number;
  status: string;
  publishedAt: string;
}

export function addExperimentCommands(program: Command): void {
  const experiments = program.command('experiments').description('list, show and publish experiment versions');

  withConnectionOptions(experiments.command('list'))
    .description("each experiment's latest version, by name (every page)")
    .action(async (_options: object, command: Command) => {
      const client = ledgerClient(command);
      const all: ExperimentSummary[] = [];
      let cursor: string | null = null;
      do {
        const page: { experiments: ExperimentSummary[]; nextCursor: string | null } = await client.get(`/v1/experiments?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        all.push(...page.experiments);
        cursor = page.nextCursor;
      } while (cursor);
      if (globalOptions(command).json) return printJson({ experiments: all });
      print(
        all.length === 0
          ? 'no experiments published'
          : renderTable(
              ['NAME', 'VERSION', 'STATUS', 'PUBLISHED'],
              all.map((experiment) => [experiment.name, experiment.version, experiment.status, experiment.publishedAt]),
            ),
      );
    });

  withConnectionOptions(experiments.command('show'))
    .description('one experiment: its latest version, or the one asked for')
    .argument('<name>', 'the experiment (its config name)')
    .option('--version <n>', 'a published version instead of the latest', positiveInteger)
    .action(async (name: string, options: { version?: number }, command: Command) => {
      const path = `/v1/experiments/${segment(name)}${options.version ? `/versions/${options.version}` : ''}`;
      const experiment = await ledgerClient(command).get<PublishedExperiment>(path);
      if (globalOptions(command).json) return printJson(experiment);
      print(renderExperiment(experiment));
    });

  withConnectionOptions(experiments.command('publish'))
    .description('publish a spec (JSON or YAML) as a new version; a spec the latest version already says publishes none')
    .argument('<file>', 'the spec file')
    .option('--name <name>', "the experiment's name (default: the file's name without its extension)")
    .action(async (file: string, options: { name?: string }, command: Command) => {
      const name = options.name ?? basename(file, extname(file));
      const spec = await readSpec(file);
      const { status, body } = await ledgerClient(command).call<PublishedExperiment>('PUT', `/v1/experiments/${segment(name)}`, spec);
      const outcome = status === 201 ? 'published' : 'unchanged';
      if (globalOptions(command).json) return printJson({ outcome, experiment: body });
      print(
        outcome === 'published'
          ? `published ${body.name} version ${body.version}${body.version > 1 ? describeDiff(body.diff) : ''}`
          : `${body.name} unchanged: version ${body.version} already says this`,
      );
    });
}

async function readSpec(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, EXIT.usage);
  }
  try {
    if (/\.ya?ml$/i.test(file)) return (await import('yaml')).parse(text);
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(error as Error).message}`, EXIT.usage);
  }
}

function renderExperiment(experiment: PublishedExperiment): string {
  const { spec } = experiment;
  const lines = [
    `${experiment.name} version ${experiment.version} (${spec.status}), published ${experiment.publishedAt} by ${experiment.publishedBy}`,
    `id type: ${spec.idType}   salt: ${spec.salt}   allocation: ${spec.allocationPercent.toFixed(2)} %   bucket version: ${spec.bucketVersion} (min ${spec.minBucketVersion})`,
    `targeting: ${spec.targeting.length === 0 ? 'everyone' : spec.targeting.map((condition) => `${condition.field} ${condition.operator} ${condition.values.join(', ')}`).join(' AND ')}`,
    '',
    renderTable(
      ['GROUP', 'WEIGHT', 'PARAMETERS'],
      spec.groups.map((group) => [group.name, `${group.weight.toFixed(2)} %`, JSON.stringify(group.parameters)]),
    ),
  ];
  const changed = Object.keys(experiment.diff);
  if (changed.length > 0) lines.push('', `changed from the previous version: ${changed.join(', ')}`);
  return lines.join('\n');
}

const describeDiff = (diff: ExperimentDiff): string => {
  const fields = Object.keys(diff);
  return fields.length === 0 ? '' : ` (changed: ${fields.join(', ')})`;
};
