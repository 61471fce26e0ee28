import { describe, expect, it } from 'vitest';
import { HdsError } from '../../../../contract/hds-error.js';
import { buildTime } from './config-iso-input.js';

const now = () => new Date('2026-11-23T10:00:00.750Z');

describe('buildTime (SOURCE_DATE_EPOCH)', () => {
  it('uses SOURCE_DATE_EPOCH when set, else now in whole seconds', () => {
    expect(buildTime({ SOURCE_DATE_EPOCH: '1790000000' }, now).toISOString()).toBe(
      '2026-09-21T14:13:20.000Z',
    );
    expect(buildTime({ SOURCE_DATE_EPOCH: '0' }, now).toISOString()).toBe('1970-01-01T00:00:00.000Z');
    expect(buildTime({}, now).toISOString()).toBe('2026-11-23T10:00:00.000Z');
    // An empty variable is an unset one (`SOURCE_DATE_EPOCH= hds-setup build …`).
    expect(buildTime({ SOURCE_DATE_EPOCH: '' }, now).toISOString()).toBe('2026-11-23T10:00:00.000Z');
  });

  it('refuses a malformed value instead of silently building an image that cannot be reproduced', () => {
    for (const value of ['abc', '-5', ' 1790000000', '1790000000.5', '2026-01-01', '1e9'])
      expect(() => buildTime({ SOURCE_DATE_EPOCH: value }, now), value).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT', field: 'SOURCE_DATE_EPOCH' }),
      );
  });

  it('refuses a time ISO 9660 cannot record (after 2155) with a clear error, not a crash', () => {
    expect(buildTime({ SOURCE_DATE_EPOCH: '5869583999' }, now).toISOString()).toBe(
      '2155-12-31T23:59:59.000Z',
    );
    for (const value of ['5869584000', '99999999999', '999999999999']) {
      let thrown: unknown;
      try {
        buildTime({ SOURCE_DATE_EPOCH: value }, now);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, value).toBeInstanceOf(HdsError);
      expect((thrown as HdsError).message).toMatch(/up to the end of 2155/);
    }
  });
});
