import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../libs/platform/src/lifecycle/project-root';

const root = projectRoot(__dirname);
const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

/** The folders `npm run build` compiles into dist/, read from the build script itself so the two cannot drift. */
function builtFolders(build: string): string[] {
  const swc = /\bswc((?:\s+[\w-]+)+?)\s+--/.exec(build);
  if (!swc) throw new Error(`cannot read the compiled folders from the build script: ${build}`);
  return swc[1]!.trim().split(/\s+/);
}

/** Every `node [flags] dist/<path>.js` a script runs. */
function distEntryPoints(command: string): string[] {
  return [...command.matchAll(/\bnode(?:\s+--?[\w-]+(?:=\S+)?)*\s+dist\/(\S+?)\.js\b/g)].map((match) => match[1]!);
}

describe('npm scripts', () => {
  const folders = builtFolders(scripts.build!);
  const launchers = Object.entries(scripts).flatMap(([name, command]) => distEntryPoints(command).map((entry) => [name, entry] as const));

  it('are found by the check', () => {
    expect(folders).toEqual(expect.arrayContaining(['apps', 'libs', 'scripts']));
    expect(launchers.map(([name]) => name)).toEqual(expect.arrayContaining(['start', 'migrate', 'rebuild', 'bench']));
  });

  it.each(launchers)('"%s" runs dist/%s.js, which the build makes from a source file', (_name, entry) => {
    // dist/X.js is swc's output for X.ts when X lies in a compiled folder and is not a test file.
    expect(existsSync(join(root, `${entry}.ts`))).toBe(true);
    expect(folders).toContain(entry.split('/')[0]);
    expect(entry).not.toMatch(/\.(?:int-)?spec$/);
  });
});
