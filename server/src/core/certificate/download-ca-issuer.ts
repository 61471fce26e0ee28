import http from 'node:http';
import https from 'node:https';

export interface CaIssuerDownloadLimits {
  /** The whole download, redirects included. */
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
}

/** Why a download gave nothing usable, worded for the admin; never holds a proxy's credentials. */
export class CaIssuerDownloadError extends Error {}

type Answer = { kind: 'body'; body: Buffer } | { kind: 'redirect'; location: string };

/**
 * GET of a caIssuers URL through Node's http/https modules — not global fetch — because that is
 * what global-agent patches: GLOBAL_AGENT_HTTP(S)_PROXY apply once the front door enabled them.
 */
export async function downloadCaIssuer(url: URL, limits: CaIssuerDownloadLimits): Promise<Buffer> {
  const deadline = Date.now() + limits.timeoutMs;
  let target = url;
  for (let redirects = 0; ; redirects++) {
    const answer = await getOnce(target, deadline, limits);
    if (answer.kind === 'body') return answer.body;
    if (redirects >= limits.maxRedirects)
      throw new CaIssuerDownloadError(`more than ${limits.maxRedirects} redirects`);
    let next: URL;
    try {
      next = new URL(answer.location, target);
    } catch {
      throw new CaIssuerDownloadError('redirected to an unreadable address');
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:')
      throw new CaIssuerDownloadError(
        `redirected to a ${next.protocol} address, which hds-setup does not follow`,
      );
    target = next;
  }
}

function getOnce(target: URL, deadline: number, limits: CaIssuerDownloadLimits): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let request: http.ClientRequest | undefined;
    const finish = (outcome: Answer | CaIssuerDownloadError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // A redirect's body is not wanted: closing the connection stops it (drained, a server could
      // send one without end — downloading for ever, and keeping the CLI from exiting).
      if (outcome instanceof CaIssuerDownloadError || outcome.kind === 'redirect') request?.destroy();
      if (outcome instanceof CaIssuerDownloadError) reject(outcome);
      else resolve(outcome);
    };
    const fail = (reason: string) => finish(new CaIssuerDownloadError(reason));
    try {
      const client = target.protocol === 'https:' ? https : http;
      request = client.request(
        target,
        {
          method: 'GET',
          headers: {
            accept: 'application/pkix-cert, application/pkcs7-mime, application/x-x509-ca-cert, */*',
            'user-agent': 'hds-setup',
          },
        },
        (response) => {
          const status = response.statusCode ?? 0;
          if ([301, 302, 303, 307, 308].includes(status)) {
            const location = response.headers.location;
            if (!location) return fail(`HTTP ${status} redirect without a Location`);
            return finish({ kind: 'redirect', location });
          }
          if (status === 407)
            return fail(proxyRefused(target, `HTTP 407${statusText(response.statusMessage)}`));
          if (status < 200 || status > 299)
            return fail(`HTTP ${status}${statusText(response.statusMessage)}`);
          const tooLarge = `the answer is larger than ${Math.round(limits.maxBytes / 1024)} KB, far too large for a CA certificate`;
          if (Number(response.headers['content-length']) > limits.maxBytes) return fail(tooLarge);
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > limits.maxBytes) fail(tooLarge);
            else chunks.push(chunk);
          });
          response.on('end', () => finish({ kind: 'body', body: Buffer.concat(chunks) }));
          response.on('error', (error) => fail(networkReason(error, target)));
        },
      );
    } catch (error) {
      return fail(networkReason(error as Error, target));
    }
    request.on('error', (error) => fail(networkReason(error, target)));
    timer = setTimeout(
      () => fail(`timed out after ${seconds(limits.timeoutMs)} without an answer`),
      Math.max(0, deadline - Date.now()),
    );
    request.end();
  });
}

interface GlobalAgentSettings {
  HTTP_PROXY?: string | null;
  HTTPS_PROXY?: string | null;
}

/** The proxy global-agent sends this URL through, if the front door enabled one. */
function proxyFor(target: URL): { url: URL; variable: string } | undefined {
  const agent = (globalThis as { GLOBAL_AGENT?: GlobalAgentSettings }).GLOBAL_AGENT;
  // global-agent sends https:// through HTTPS_PROXY, or HTTP_PROXY when that is unset.
  const secure = target.protocol === 'https:' && agent?.HTTPS_PROXY;
  const raw = secure ? agent.HTTPS_PROXY : agent?.HTTP_PROXY;
  if (!raw) return undefined;
  try {
    return { url: new URL(raw), variable: secure ? 'GLOBAL_AGENT_HTTPS_PROXY' : 'GLOBAL_AGENT_HTTP_PROXY' };
  } catch {
    return undefined;
  }
}

/** Names the proxy by host and port only: its URL may carry user:password. */
function proxyRefused(target: URL, what: string): string {
  const proxy = proxyFor(target);
  const where = proxy ? `the proxy ${proxy.url.host}` : 'a proxy';
  const variable = proxy?.variable ?? 'GLOBAL_AGENT_HTTP_PROXY';
  return `${where} refused it (${what}): check the user name and password in ${variable}`;
}

function networkReason(error: Error, target: URL): string {
  const e = error as NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string };
  // global-agent's CONNECT tunnel (https:// through a proxy) fails with this wording.
  const connect = /^Proxy server refused connecting to .*\((HTTP\/[\d.]+ (\d{3})[^)]*)\)$/.exec(e.message);
  if (connect) {
    if (connect[2] === '407')
      return proxyRefused(target, printable(connect[1]!.replace(/^HTTP\/[\d.]+ /, 'HTTP ')));
    const proxy = proxyFor(target);
    return `the proxy ${proxy?.url.host ?? ''} would not connect to ${target.host} (${printable(connect[1]!)})`;
  }
  const proxy = proxyFor(target);
  const atProxy =
    proxy !== undefined &&
    ((e.port !== undefined && String(e.port) === (proxy.url.port || '80')) ||
      e.hostname === proxy.url.hostname);
  const host = atProxy ? `the proxy ${proxy!.url.host}` : target.host;
  switch (e.code) {
    case 'ECONNREFUSED':
      return `${host} refused the connection${atProxy ? ` (check ${proxy!.variable})` : ''}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host name ${atProxy ? proxy!.url.hostname : target.hostname} was not found (DNS)`;
    case 'ECONNRESET':
      return `${host} closed the connection before answering`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${host} is unreachable from this machine`;
    case 'ETIMEDOUT':
      return `${host} did not accept the connection in time`;
  }
  if (e.code && /CERT|SIGNATURE|SELF_SIGNED|UNABLE_TO|ERR_TLS/.test(e.code))
    return `the TLS certificate of ${target.host} was refused (${e.code})`;
  return `a network error (${e.code ?? printable(e.message)})`;
}

function statusText(message: string | undefined): string {
  const text = printable(message ?? '');
  return text ? ` ${text}` : '';
}

/** Server-supplied text, made safe to show: printable, short, and no user:password@ in a URL. */
function printable(text: string): string {
  return text
    .replace(/\/\/[^\s/@]*@/g, '//')
    .replace(/[^\x20-\x7e]/g, '')
    .slice(0, 120);
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(1))} s` : `${ms} ms`;
}
