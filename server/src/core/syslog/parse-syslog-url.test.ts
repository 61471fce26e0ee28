import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HdsError } from '../../../../contract/hds-error.js';
import { refusalOf } from '../../../../scripts/test-env/refusals.js';
import { parseSyslogUrl } from './parse-syslog-url.js';
import { parseSyslogSettings } from './syslog-settings.js';

describe('parseSyslogUrl', () => {
  it.each([
    ['udp://10.0.0.5:514', 'udp://10.0.0.5:514', '10.0.0.5', 514],
    ['udp://10.0.0.5', 'udp://10.0.0.5:514', '10.0.0.5', 514],
    ['TCP://Syslog.Example.COM:6514/', 'tcp://syslog.example.com:6514', 'syslog.example.com', 6514],
    ['  tcp://syslog.example.com.  ', 'tcp://syslog.example.com:514', 'syslog.example.com', 514],
    ['tcp://[2001:DB8::5]:1514', 'tcp://[2001:db8::5]:1514', '2001:db8::5', 1514],
    ['udp://[::1]', 'udp://[::1]:514', '::1', 514],
    ['udp://logs:65535', 'udp://logs:65535', 'logs', 65535],
  ])('%s → %s', (input, url, host, port) => {
    expect(parseSyslogUrl(input)).toEqual({ url, host, port, protocol: url.slice(0, 3) });
  });

  it.each([
    ['', /Enter the syslogd URL/],
    ['10.0.0.5:514', /has no scheme: write udp:\/\/10\.0\.0\.5:514 \(or tcp:\/\/10\.0\.0\.5:514 /],
    ['syslog.example.com', /has no scheme: write udp:\/\/syslog\.example\.com/],
    ['http://10.0.0.5:514', /scheme "http" is not supported/],
    // Worded for every front door (page, answers file, --url/--tls), not for the page's question alone.
    ['tls://10.0.0.5:514', /scheme "tls" is not supported: .*for TLS, use tcp:\/\/ and turn TLS on/],
    ['udp://:514', /names no host/],
    ['udp://10.0.0.5:0', /port "0" is not a number from 1 to 65535/],
    ['udp://10.0.0.5:65536', /from 1 to 65535/],
    ['udp://10.0.0.5:+514', /from 1 to 65535/],
    ['udp://10.0.0.5:', /names no port after the colon/],
    ['udp://999.0.0.1', /not a valid IPv4 address/],
    ['udp://2001:db8::5:514', /IPv6 address without brackets/],
    ['udp://[2001:db8::zz]:514', /not an IPv6 address/],
    ['udp://[fe80::1%eth0]:514', /zone ids/],
    ['udp://bad_host:514', /not a valid host name/],
    ['udp://bücher.example:514', /write it as xn--bcher-kva\.example/],
    ['udp://-bad.example:514', /not a valid host name/],
    ['udp://user@host:514', /user name or password/],
    ['udp://host:514/path', /no path, query or fragment/],
    ['udp://host:514?x=1', /no path, query or fragment/],
    ['tcp://host#frag', /no path, query or fragment/],
    ['udp://ho st:514', /spaces or control characters/],
    [`udp://${'a'.repeat(64)}.example`, /not a valid host name/],
    [`udp://${'a.'.repeat(150)}`, /too long|not a valid host name/],
  ])('refuses %j with SYSLOG_URL_INVALID', (input, reason) => {
    const error = refusalOf(() => parseSyslogUrl(input));
    expect(error.code).toBe('SYSLOG_URL_INVALID');
    expect(error.field).toBe('url');
    expect(error.message).toMatch(reason);
    // Every refusal shows the expected form.
    expect(error.message).toContain('udp://host:port or tcp://host:port');
  });

  it('a user:password@ in the URL is refused without echoing the password', () => {
    for (const input of ['udp://admin:S3cret-pw@10.0.0.5:514', 'tcp://admin:S3cret-pw@[::1]:514/x?y']) {
      const error = refusalOf(() => parseSyslogUrl(input));
      expect(error.code).toBe('SYSLOG_URL_INVALID');
      expect(error.message).toMatch(/must not contain a user name or password/);
      expect(error.message).not.toContain('S3cret-pw');
    }
  });

  it('any string is either a normalised URL or SYSLOG_URL_INVALID, never a crash', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.webUrl(),
          fc.string().map((s) => `udp://${s}`),
        ),
        (input) => {
          try {
            const parsed = parseSyslogUrl(input);
            expect(parseSyslogUrl(parsed.url)).toEqual(parsed);
          } catch (error) {
            expect(error).toBeInstanceOf(HdsError);
            expect((error as HdsError).code).toBe('SYSLOG_URL_INVALID');
            expect((error as HdsError).message.length).toBeLessThan(400);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('round-trips every valid scheme, host and port', () => {
    const host = fc.oneof(
      fc.domain().map((d) => d.toLowerCase()),
      fc.ipV4(),
      fc.ipV6().map((a) => `[${a}]`),
    );
    fc.assert(
      fc.property(
        fc.constantFrom('udp', 'tcp'),
        host,
        fc.integer({ min: 1, max: 65535 }),
        (scheme, h, port) => {
          const parsed = parseSyslogUrl(`${scheme}://${h}:${port}`);
          expect(parsed.protocol).toBe(scheme);
          expect(parsed.port).toBe(port);
          expect(parseSyslogUrl(parsed.url)).toEqual(parsed);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('parseSyslogSettings', () => {
  it('defaults TLS off and termination to the null byte', () => {
    expect(parseSyslogSettings({ url: 'udp://10.0.0.5' })).toEqual({
      url: 'udp://10.0.0.5:514',
      protocol: 'udp',
      host: '10.0.0.5',
      port: 514,
      tls: false,
      termination: 'null',
    });
  });

  it('TLS over UDP is SYSLOG_TLS_NEEDS_TCP on the tls field, with the TCP URL to use', () => {
    const error = refusalOf(() => parseSyslogSettings({ url: 'udp://10.0.0.5:6514', tls: true }, 'syslog'));
    expect(error.code).toBe('SYSLOG_TLS_NEEDS_TCP');
    expect(error.field).toBe('syslog.tls');
    expect(error.message).toContain('tcp://10.0.0.5:6514');
    expect(error.message).toMatch(/or turn TLS off\.$/);
  });

  it('an unknown termination is INVALID_INPUT on its field', () => {
    const error = refusalOf(() => parseSyslogSettings({ url: 'tcp://h', termination: 'crlf' }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.field).toBe('termination');
    expect(error.message).toMatch(/"null".*"newline"/);
  });
});
