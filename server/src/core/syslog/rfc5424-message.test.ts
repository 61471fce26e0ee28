import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HdsError } from '../../../../contract/hds-error.js';
import { frameSyslogRecord } from './record-framing.js';
import { formatRfc5424Message, MAX_RECORD_OCTETS } from './rfc5424-message.js';

const origin = { timestamp: new Date('2025-01-02T03:04:05.006Z'), hostname: 'hds-admin', procId: '4242' };

describe('formatRfc5424Message', () => {
  it('writes HEADER SP STRUCTURED-DATA SP MSG with PRI local0.notice', () => {
    const line = formatRfc5424Message({ msgId: 'HDSTEST-1', message: 'hello' }, origin).toString();
    expect(line).toBe('<133>1 2025-01-02T03:04:05.006Z hds-admin hds-setup 4242 HDSTEST-1 - hello');
  });

  it('takes the severity and escapes structured data values (section 6.3.3)', () => {
    const line = formatRfc5424Message(
      {
        msgId: 'CMK',
        message: 'created',
        severity: 'warning',
        structuredData: { 'cmk@32473': { org: 'x"]\\', n: '1' } },
      },
      origin,
    ).toString();
    expect(line).toBe(
      '<132>1 2025-01-02T03:04:05.006Z hds-admin hds-setup 4242 CMK [cmk@32473 org="x\\"\\]\\\\" n="1"] created',
    );
  });

  it('a non-ASCII message is MSG-UTF8: BOM first (section 6.4)', () => {
    const bytes = formatRfc5424Message({ msgId: 'X', message: 'Zürich' }, origin);
    expect(bytes.subarray(-10).toString('hex')).toBe(Buffer.from('\ufeffZürich').toString('hex'));
  });

  it('an unprintable host name becomes NILVALUE', () => {
    const line = formatRfc5424Message({ msgId: 'X', message: '' }, { ...origin, hostname: ' ' }).toString();
    expect(line).toBe('<133>1 2025-01-02T03:04:05.006Z - hds-setup 4242 X -');
  });

  it.each([[''], ['has space'], ['x'.repeat(33)]])('refuses the MSGID %j', (msgId) => {
    expect(() => formatRfc5424Message({ msgId, message: 'm' }, origin)).toThrow(HdsError);
  });

  it('refuses an SD-ID with "="', () => {
    expect(() =>
      formatRfc5424Message({ msgId: 'X', message: 'm', structuredData: { 'a=b': {} } }, origin),
    ).toThrow(/SD-ID/);
  });

  it('any message stays one record: no control characters, at most 2048 octets, valid UTF-8', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 3000 }), (message) => {
        const bytes = formatRfc5424Message({ msgId: 'P', message }, origin);
        expect(bytes.length).toBeLessThanOrEqual(MAX_RECORD_OCTETS);
        expect(bytes.includes(0x00)).toBe(false);
        expect(bytes.includes(0x0a)).toBe(false);
        expect(Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('frameSyslogRecord (RFC 6587 non-transparent framing)', () => {
  it('adds one NUL or one LF', () => {
    expect(frameSyslogRecord(Buffer.from('m'), 'null')).toEqual(Buffer.from('m\x00'));
    expect(frameSyslogRecord(Buffer.from('m'), 'newline')).toEqual(Buffer.from('m\n'));
  });
});
