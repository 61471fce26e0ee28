import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository / package root, found from this file whether it runs from source or dist/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string };
      if (pkg.name === 'hds-setup') return dir;
    }
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error('hds-setup package.json not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

let cachedVersion: string | undefined;

export function productVersion(): string {
  cachedVersion ??= (
    JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }
  ).version;
  return cachedVersion;
}

export const PRODUCT_NAME = 'hds-setup';
