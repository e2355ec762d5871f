import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../libs/platform/src/lifecycle/project-root';

/** No Docker engine builds the image in CI; these hold the Dockerfile and .dockerignore to what they promise. */
const root = projectRoot(__dirname);
const dockerfile = readFileSync(join(root, 'docker/Dockerfile'), 'utf8');
/** Instructions with their continuation lines joined, comments dropped. */
const instructions = dockerfile
  .replace(/\\\n\s*/g, '')
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.startsWith('#'));
const finalStage = instructions.slice(instructions.findLastIndex((line) => line.startsWith('FROM ')));

describe('docker/Dockerfile', () => {
  it('builds every stage on Node 24 LTS', () => {
    const bases = instructions.filter((line) => line.startsWith('FROM ')).map((line) => line.split(/\s+/)[1]);
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(base).toBe('node:24-bookworm-slim');
  });

  it('checks readiness', () => {
    const healthchecks = finalStage.filter((line) => line.startsWith('HEALTHCHECK '));
    expect(healthchecks).toHaveLength(1);
    expect(healthchecks[0]).toMatch(/ CMD .*\/health\/ready/);
  });

  it('runs as a user other than root', () => {
    const users = finalStage.filter((line) => line.startsWith('USER ')).map((line) => line.split(/\s+/)[1]);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(?:root|0)(?::|$)/);
  });

  it('holds production dependencies only', () => {
    const modules = finalStage.filter((line) => /^COPY .*node_modules/.test(line));
    expect(modules).toEqual([expect.stringMatching(/^COPY --from=(\S+) /)]);
    const from = /^COPY --from=(\S+) /.exec(modules[0]!)![1];
    const stage = instructions.slice(instructions.findIndex((line) => line.endsWith(` AS ${from}`)));
    expect(stage.find((line) => line.startsWith('RUN npm ci'))).toContain('--omit=dev');
  });

  it('leaves out the bench, the test harness and the development scripts', () => {
    const copied = finalStage.flatMap((line) => [...line.matchAll(/\/app\/(dist\/?\S*)/g)].map((match) => match[1]!));
    expect(copied).toContain('dist/scripts/migrate');
    for (const path of copied) expect(path).toMatch(/^dist\/(?:apps\/(?:ledger|projector)\/src|libs\/(?:assignment|events|platform|storage\/src)|scripts\/migrate)$/);
  });
});

describe('.dockerignore', () => {
  const patterns = readFileSync(join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

  it('keeps secrets and local state out of the build context', () => {
    expect(patterns).toEqual(expect.arrayContaining(['.git', '**/.env', '**/.env.*', '**/*.pem', '**/*.key', '**/node_modules', 'dist', 'coverage', '.cache', 'bench/results']));
    expect(patterns.filter((pattern) => pattern.startsWith('!'))).toEqual([]);
  });
});
