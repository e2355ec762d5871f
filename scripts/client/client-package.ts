import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectRoot } from '../../libs/platform/src/lifecycle/project-root';

const root = projectRoot(join(__dirname, '..'));
export const CLIENT_PACKAGE_DIR = join(root, 'libs', 'client');
const dist = join(CLIENT_PACKAGE_DIR, 'dist');

/**
 * Builds @assignment-ledger/client into libs/client/dist, self-contained: tsc compiles the client with the few
 * contract files of libs/events and libs/assignment it imports (their folders side by side under dist/), the one
 * alias those files use (`@ledger/events`) is rewritten to the client's own slice of the contract, and the .proto
 * files are copied beside the code.
 */
export function buildClientPackage(): string {
  rmSync(dist, { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(CLIENT_PACKAGE_DIR, 'tsconfig.build.json')], { stdio: 'inherit' });
  const contract = join(dist, 'client', 'src', 'contract', 'ledger-events');
  for (const file of filesUnder(dist).filter((file) => /\.(js|d\.ts)$/.test(file))) {
    const text = readFileSync(file, 'utf8');
    if (!text.includes('@ledger/')) continue;
    const target = relative(join(file, '..'), contract).replace(/\\/g, '/');
    const rewritten = text.replace(/(["'])@ledger\/events\1/g, `$1${target.startsWith('.') ? target : `./${target}`}$1`);
    if (rewritten.includes('@ledger/')) throw new Error(`${relative(root, file)} imports a repository alias the package cannot resolve`);
    writeFileSync(file, rewritten);
  }
  cpSync(join(root, 'proto', 'assignment_ledger'), join(dist, 'proto', 'assignment_ledger'), { recursive: true, filter: (path) => statSync(path).isDirectory() || path.endsWith('.proto') });
  return CLIENT_PACKAGE_DIR;
}

/** `npm pack` of the built package into `destination`; answers the tarball's path. */
export function packClientPackage(destination: string): string {
  const output = execFileSync('npm', ['pack', '--json', '--pack-destination', destination], { cwd: CLIENT_PACKAGE_DIR, encoding: 'utf8' });
  const [packed] = JSON.parse(output) as { filename: string }[];
  return join(destination, packed!.filename);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

if (require.main === module) {
  buildClientPackage();
  if (process.argv.includes('--pack')) console.log(packClientPackage(join(root, '.cache', 'client-package')));
}
