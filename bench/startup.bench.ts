// Foundation figures: start-up time to the listening line, idle RSS after one page load,
// and the web app's first-load bytes (gzipped). Targets: < 500 ms, < 150 MB, < 150 KB.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const ROOT = new URL('..', import.meta.url).pathname;

export default async function startupBench(): Promise<void> {
  const times: number[] = [];
  let rssMb = 0;
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const child = spawn(process.execPath, [join(ROOT, 'bin/hds-setup.js'), 'serve', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const url = await new Promise<string>((resolve) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /^(http:\/\/\S+\?token=\S+)\r?\n/m.exec(out);
        if (/Express server listening/.test(out)) times.push(performance.now() - started);
        if (m) resolve(m[1]!);
      });
    });
    if (i === 0) {
      const origin = new URL(url).origin;
      const html = await (await fetch(url)).text();
      for (const asset of html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g))
        await (await fetch(origin + asset[1])).arrayBuffer();
      await new Promise((r) => setTimeout(r, 500));
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      rssMb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    }
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  times.sort((a, b) => a - b);
  // First load: what index.html references (the shell, sign-in, overview); pages load on demand.
  const webRoot = join(ROOT, 'dist/web');
  const html = readFileSync(join(webRoot, 'index.html'), 'utf8');
  const firstLoad = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  const gzipped = (file: string) => gzipSync(readFileSync(join(webRoot, file))).length;
  const gz = firstLoad.reduce((sum, f) => sum + gzipped(f), 0);
  const all = readdirSync(join(webRoot, 'assets'))
    .filter((f) => /\.(js|css)$/.test(f))
    .reduce((sum, f) => sum + gzipped(`assets/${f}`), 0);
  const median = times[Math.floor(times.length / 2)]!;
  console.log(
    `start-up to listening line: median ${median.toFixed(0)} ms (min ${times[0]!.toFixed(0)}), target < 500 ms → ${(median / 500).toFixed(2)}× of target`,
  );
  console.log(
    `idle RSS after one page load: ${rssMb.toFixed(1)} MB, target < 150 MB → ${(rssMb / 150).toFixed(2)}×`,
  );
  console.log(
    `web app first load JS+CSS gzipped: ${(gz / 1024).toFixed(1)} KB, target < 150 KB → ${(gz / 1024 / 150).toFixed(2)}× (every page loaded: ${(all / 1024).toFixed(1)} KB)`,
  );
}
