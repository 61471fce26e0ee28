import { bootstrap } from 'global-agent';

/**
 * Routes the server's outbound HTTP(S) through GLOBAL_AGENT_HTTP(S)_PROXY when set, the
 * variables admins already use with the original tool (credentials in the URL included).
 * Returns the proxy URLs in force, with any password masked, for the start-up banner.
 */
export function enableOutboundProxy(env: NodeJS.ProcessEnv = process.env): string[] {
  const http = env.GLOBAL_AGENT_HTTP_PROXY;
  const https = env.GLOBAL_AGENT_HTTPS_PROXY;
  if (!http && !https) return [];
  bootstrap();
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
