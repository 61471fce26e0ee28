import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { expect, it } from 'vitest';
import { maskCredentials } from './outbound-proxy.js';

it('sends outbound HTTP through GLOBAL_AGENT_HTTP_PROXY with the credentials in its URL', async () => {
  const seen: { url: string; auth: string | undefined }[] = [];
  const proxy = createServer((req, res) => {
    seen.push({ url: req.url ?? '', auth: req.headers['proxy-authorization'] });
    res.end('via proxy');
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const port = (proxy.address() as { port: number }).port;
  const script = `
    import { enableOutboundProxy } from './server/src/http/outbound-proxy.ts';
    import http from 'node:http';
    enableOutboundProxy();
    http.get('http://updates.example.invalid/check', (res) => { let b=''; res.on('data', d => b += d); res.on('end', () => { process.stdout.write(b); }); });
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: new URL('../../..', import.meta.url).pathname,
    env: { ...process.env, GLOBAL_AGENT_HTTP_PROXY: `http://admin:s3cret@127.0.0.1:${port}` },
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await new Promise((r) => child.once('exit', r));
  proxy.close();
  expect(out).toBe('via proxy');
  expect(seen[0]?.url).toBe('http://updates.example.invalid/check');
  expect(seen[0]?.auth).toBe(`Basic ${Buffer.from('admin:s3cret').toString('base64')}`);
});

it('masks the proxy password for the start-up banner', () => {
  expect(maskCredentials('http://admin:s3cret@proxy:3128')).toBe('http://admin:****@proxy:3128/');
});
