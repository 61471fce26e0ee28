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
// `hds-setup inspect x.iso | head` closes the pipe early: stop quietly instead of a stack trace.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
