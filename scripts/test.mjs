// `npm test`: everything, in the order a failure is cheapest to find. Exit non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { ensureSystemPackages } from './system-packages.mjs';

function step(title, command, args) {
  console.log(`\n=== ${title}: ${command} ${args.join(' ')}`);
  const r = spawnSync(command, args, { stdio: 'inherit', env: process.env });
  if (r.status !== 0) {
    console.error(`\n${title} failed (exit ${r.status ?? r.signal}).`);
    process.exit(r.status || 1);
  }
}

ensureSystemPackages();
step('lint and format', 'npx', ['biome', 'check', '.']);
step('typecheck', 'npm', ['run', '--silent', 'typecheck']);
step('build', 'npm', ['run', '--silent', 'build']);
mkdirSync('.tmp', { recursive: true });
const r = spawnSync(
  'npx',
  ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=.tmp/vitest-report.json'],
  { stdio: 'inherit', env: process.env },
);
let summary = '';
try {
  const report = JSON.parse(readFileSync('.tmp/vitest-report.json', 'utf8'));
  summary = `${report.numPassedTests} passed, ${report.numFailedTests} failed`;
  if (report.numPendingTests + report.numTodoTests)
    summary += `, ${report.numPendingTests + report.numTodoTests} skipped`;
} catch {
  summary = '0 passed, 1 failed';
}
console.log(`\n${summary}`);
process.exit(r.status ?? 1);
