import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The nearest folder above `from` with a package.json: the repository (or the image's /app), from source or dist/ alike. */
export function projectRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  throw new Error(`no package.json above ${from}`);
}
