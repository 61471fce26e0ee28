#!/usr/bin/env node
// The CLI entry. It runs the compiled code in dist/ (built by `npm ci` through the prepare script).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/server/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    'hds-setup is not built yet: run `npm ci` (or `npm run build`) in its folder first.\n',
  );
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
