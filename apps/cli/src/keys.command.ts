import { type Command, Option } from 'commander';
import { globalOptions, ledgerClient, print, printJson, withConnectionOptions } from './cli-context';
import { segment } from './ledger-http.client';
import { renderTable } from './table.render';

const SCOPES = ['storage:read', 'storage:write', 'evaluate', 'experiments:write', 'audit:read', 'admin'];

interface ApiKeyView {
  id: string;
  name: string;
  scopes: string[];
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
}

export function addKeyCommands(program: Command): void {
  const keys = program.command('keys').description('create, list and revoke API keys (needs an admin key)');

  withConnectionOptions(keys.command('create'))
    .description('create a key; its secret is shown once, so keep it')
    .argument('<name>', 'what the key is for (1 to 200 characters)')
    .addOption(new Option('--scope <scope...>', 'one or more scopes').choices(SCOPES).makeOptionMandatory())
    .action(async (name: string, options: { scope: string[] }, command: Command) => {
      const created = await ledgerClient(command).post<ApiKeyView & { key: string }>('/v1/api-keys', { name, scopes: options.scope });
      if (globalOptions(command).json) return printJson(created);
      print(`created ${created.id} (${created.scopes.join(', ')}); its secret, shown this once:\n${created.key}`);
    });

  withConnectionOptions(keys.command('list'))
    .description('the keys, in creation order (every page)')
    .option('--include-revoked', 'list revoked keys too', false)
    .action(async (options: { includeRevoked: boolean }, command: Command) => {
      const client = ledgerClient(command);
      const all: ApiKeyView[] = [];
      let cursor: string | null = null;
      do {
        const query = `limit=500${options.includeRevoked ? '&includeRevoked=true' : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page: { apiKeys: ApiKeyView[]; nextCursor: string | null } = await client.get(`/v1/api-keys?${query}`);
        all.push(...page.apiKeys);
        cursor = page.nextCursor;
      } while (cursor);
      if (globalOptions(command).json) return printJson({ apiKeys: all });
      print(
        all.length === 0
          ? 'no API keys (the bootstrap admin key is not listed)'
          : renderTable(
              ['ID', 'NAME', 'SCOPES', 'CREATED BY', 'CREATED', 'REVOKED'],
              all.map((key) => [key.id, key.name, key.scopes.join(','), key.createdBy, key.createdAt, key.revokedAt]),
            ),
      );
    });

  withConnectionOptions(keys.command('revoke'))
    .description('revoke a key: calls with it fail from then on')
    .argument('<id>', "the key's id (as `keys list` shows it)")
    .action(async (id: string, _options: object, command: Command) => {
      const revoked = await ledgerClient(command).delete<ApiKeyView>(`/v1/api-keys/${segment(id)}`);
      if (globalOptions(command).json) return printJson(revoked);
      print(`revoked ${revoked.id} (${revoked.name}) at ${revoked.revokedAt}`);
    });
}
