import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const buf = join(root, 'node_modules', '.bin', 'buf');
/** The commit that published assignment_ledger.v1, as `npm run proto:check` names it: every change is compared with it. */
const PUBLISHED_V1 = /#ref=([0-9a-f]{40})/.exec((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['proto:check'] ?? '')?.[1];

const run = (args: string[], cwd: string) => execFileSync(buf, args, { cwd, encoding: 'utf8', stdio: 'pipe' });
const breakingAgainstV1 = (protoDir: string) => run(['breaking', '--against', `${join(root, '.git')}#ref=${PUBLISHED_V1},subdir=proto`], protoDir);

describe('the gRPC API definitions', () => {
  it('pass buf lint (STANDARD, with the exceptions buf.yaml gives reasons for)', () => {
    expect(() => run(['lint'], join(root, 'proto'))).not.toThrow();
  });

  it('keep assignment_ledger.v1 as published (buf breaking)', () => {
    expect(() => breakingAgainstV1(join(root, 'proto'))).not.toThrow();
  });

  it('would notice a breaking edit of v1', () => {
    const copy = mkdtempSync(join(tmpdir(), 'protos-'));
    try {
      cpSync(join(root, 'proto'), copy, { recursive: true });
      const file = join(copy, 'assignment_ledger', 'v1', 'persisted_values.proto');
      writeFileSync(file, readFileSync(file, 'utf8').replace(/\n\s*bool respond_async = \d+;/, ''));
      let findings = '';
      try {
        breakingAgainstV1(copy);
      } catch (error) {
        findings = String((error as { stdout?: unknown }).stdout);
      }
      expect(findings).toMatch(/respond_async/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
