import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './project-root';
import { SERVICE_NODE_FLAGS } from './service-node-flags';

/** Launchers that cannot import the constant spell the flags out; this keeps them from drifting apart. */
describe('SERVICE_NODE_FLAGS', () => {
  const root = projectRoot(__dirname);
  const read = (path: string) => readFileSync(join(root, path), 'utf8');

  it.each([
    ['the image', 'docker/Dockerfile', /CMD \[(.*)\]/g],
    // The services' commands; the one-shot migration runs without them.
    ['compose', 'docker/compose.yaml', /command: \[(.*dist\/apps\/.*)\]/g],
    ['npm run bench', 'package.json', /"bench": "(.*)"/g],
  ])('are passed by %s', (_launcher, path, pattern) => {
    const commands = [...read(path).matchAll(pattern)].map((match) => match[1]!);
    expect(commands.length).toBeGreaterThan(0);
    for (const command of commands) for (const flag of SERVICE_NODE_FLAGS) expect(command).toContain(flag);
  });
});
