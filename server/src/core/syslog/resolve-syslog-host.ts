import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { HdsError } from '../../../../contract/hds-error.js';

export interface ResolvedHost {
  address: string;
  family: 4 | 6;
}

/** The syslog server's address, via the system resolver (what the nodes use), within `timeoutMs`. */
export async function resolveSyslogHost(host: string, timeoutMs: number): Promise<ResolvedHost> {
  const literal = isIP(host);
  if (literal) return { address: host, family: literal as 4 | 6 };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new HdsError(
            'SYSLOG_TIMEOUT',
            `Looking up ${host} took longer than ${timeoutMs / 1000} s. Check this machine's DNS servers, or use the syslog server's IP address.`,
            'url',
          ),
        ),
      timeoutMs,
    );
  });
  try {
    const found = await Promise.race([lookup(host, { verbatim: true }), timeout]);
    return { address: found.address, family: found.family as 4 | 6 };
  } catch (error) {
    if (error instanceof HdsError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    throw new HdsError(
      'SYSLOG_HOST_UNRESOLVED',
      `The host name ${host} does not resolve (${code}). Check the spelling and this machine's DNS, or use the syslog server's IP address.`,
      'url',
    );
  } finally {
    clearTimeout(timer);
  }
}
