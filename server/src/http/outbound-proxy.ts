import { bootstrap } from 'global-agent';

/**
 * Routes outbound HTTP(S) made with node:http/https (the certificate check's caIssuers downloads)
 * through GLOBAL_AGENT_HTTP(S)_PROXY when set, the variables admins already use with the original
 * tool (credentials in the URL included). Process-wide and idempotent: the CLI enables it for
 * every command, `serve` again for its banner. Returns the proxy URLs with any password masked.
 */
export function enableOutboundProxy(env: NodeJS.ProcessEnv = process.env): string[] {
  const http = env.GLOBAL_AGENT_HTTP_PROXY;
  const https = env.GLOBAL_AGENT_HTTPS_PROXY;
  if (!http && !https) return [];
  if (!(globalThis as { GLOBAL_AGENT?: unknown }).GLOBAL_AGENT) bootstrap();
  return [http, https].filter((u): u is string => Boolean(u)).map(maskCredentials);
}

export function maskCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '****';
    return parsed.toString();
  } catch {
    return '(unparsable proxy URL)';
  }
}
