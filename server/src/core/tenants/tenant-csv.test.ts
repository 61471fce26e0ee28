import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HdsError, HdsErrors } from '../../../../contract/hds-error.js';
import { TENANT_CSV_MAX_BYTES } from '../../../../contract/tenants.js';
import { refusalsOf } from '../../../../scripts/test-env/refusals.js';
import { parseTenantCsv } from './tenant-csv.js';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('the tenant CSV import', () => {
  it('reads org_id,name with quoting, a BOM, CRLF, blank lines and upper-case ids', () => {
    const a = randomUUID();
    const b = randomUUID();
    const csv = `\uFEFForg_id,name\r\n${a.toUpperCase()},Acme\r\n\r\n${b},"Widgets, ""Inc."""\r\n`;
    expect(parseTenantCsv(csv)).toEqual([
      { orgId: a, name: 'Acme' },
      { orgId: b, name: 'Widgets, "Inc."' },
    ]);
  });

  it('reports every bad line with its number and imports nothing', () => {
    const good = randomUUID();
    const csv = [
      'org_id,name',
      `${good},Good Org`,
      'not-a-uuid,Bad Id',
      `${randomUUID()},`,
      `${good},Duplicate`,
      `${randomUUID()},too,many`,
    ].join('\n');
    const errors = refusalsOf(() => parseTenantCsv(csv));
    expect(errors.map((e) => e.code)).toEqual(Array(4).fill('TENANT_CSV_INVALID'));
    expect(errors.map((e) => e.message.match(/^Line (\d+)/)?.[1])).toEqual(['3', '4', '5', '6']);
    expect(errors[2]!.message).toMatch(/already listed on line 2/);
  });

  it('refuses a missing header, an empty list and broken quoting with a line number', () => {
    expect(refusalsOf(() => parseTenantCsv(`${randomUUID()},Acme\n`))[0]!.message).toMatch(
      /^Line 1: .*header/,
    );
    expect(refusalsOf(() => parseTenantCsv('org_id,name\n'))[0]!.message).toMatch(/lists no organisation/);
    expect(refusalsOf(() => parseTenantCsv(`org_id,name\n${randomUUID()},"Acme\n`))[0]!.code).toBe(
      'TENANT_CSV_INVALID',
    );
  });

  it('reports a bad record that spans lines (a quoted name) on the line where it starts', () => {
    const csv = [
      'org_id,name',
      `${randomUUID()},Good`,
      '',
      `${randomUUID()},"Two`,
      'lines"',
      `not-a-uuid,"Three`,
      '',
      'lines"',
      `${randomUUID()},Fine`,
      'also-bad,Fine',
    ];
    for (const newline of ['\n', '\r\n']) {
      const errors = refusalsOf(() => parseTenantCsv(csv.join(newline)));
      expect(errors.map((e) => e.message.match(/^Line (\d+): /)?.[1])).toEqual(['4', '6', '6', '10']);
      expect(errors[0]!.message).toMatch(/control characters or line breaks/);
    }
    const unclosed = refusalsOf(() =>
      parseTenantCsv(`org_id,name\n${randomUUID()},ok\n\n${randomUUID()},"open\nstill\n`),
    );
    expect(unclosed[0]!.message).toMatch(/^Line 4: .*Quote Not Closed.*record that starts on this line/);
  });

  it('a record with broken quoting is reported beside every other bad line, not instead of them', () => {
    const csv = [
      'org_id,name',
      'not-a-uuid,Bad Id',
      `${randomUUID()},Acme "Best" Corp`,
      `${randomUUID()},`,
      `${randomUUID()},"Two`,
      'lines"',
      `${randomUUID()},"never closed`,
      'more',
    ].join('\n');
    const errors = refusalsOf(() => parseTenantCsv(csv));
    expect(errors.map((e) => e.field)).toEqual(['csv.2', 'csv.3', 'csv.4', 'csv.5', 'csv.7']);
    expect(errors[1]!.message).toMatch(/^Line 3: Invalid Opening Quote.*written twice: ""/);
    expect(errors[3]!.message).toMatch(/^Line 5: .*control characters or line breaks/);
    expect(errors[4]!.message).toMatch(/^Line 7: Quote Not Closed/);
    // A file whose only problem is quoting is still refused, on its line.
    expect(refusalsOf(() => parseTenantCsv(`org_id,name\n${randomUUID()},A "B"\n`))).toMatchObject([
      { field: 'csv.2' },
    ]);
  });

  it('a file of nothing but bad records, as large as allowed, is refused at once naming the first 200', () => {
    // csv-parse builds an error for each record it skips (broken quoting) or finds with the wrong
    // field count, ~0.1 ms each: 8 MB of `a"` lines (2.8 million records) took minutes and 1.5 GB,
    // with the server's event loop blocked all along.
    for (const [line, what] of [
      ['a"\n', /^Line \d+: Invalid Opening Quote/],
      ['x\n', /^Line \d+: expected 2 fields/],
    ] as const) {
      const csv = `org_id,name\n${line.repeat(Math.floor((TENANT_CSV_MAX_BYTES - 12) / line.length))}`;
      const started = performance.now();
      const errors = refusalsOf(() => parseTenantCsv(csv));
      expect(performance.now() - started).toBeLessThan(2000);
      expect(errors).toHaveLength(201);
      expect(errors.slice(0, 200).map((e) => e.field)).toEqual(range(2, 201).map((n) => `csv.${n}`));
      expect(errors[0]!.message).toMatch(what);
      expect(errors[200]!).toMatchObject({ code: 'TENANT_CSV_INVALID', field: 'csv' });
      expect(errors[200]!.message).toMatch(
        /more than 200 records with broken quoting or the wrong number of fields, so hds-setup stopped reading it at line 202/,
      );
    }
  });

  it('refuses a name with an invisible or text-direction character, naming it and its position', () => {
    const id = randomUUID();
    for (const [character, codePoint] of [
      ['\u202E', 'U+202E (RIGHT-TO-LEFT OVERRIDE)'],
      ['\u2066', 'U+2066 (LEFT-TO-RIGHT ISOLATE)'],
      ['\u200B', 'U+200B (ZERO WIDTH SPACE)'],
      ['\u061C', 'U+061C (ARABIC LETTER MARK)'],
      ['\uFEFF', 'U+FEFF (ZERO WIDTH NO-BREAK SPACE (byte order mark))'],
    ] as const) {
      const errors = refusalsOf(() =>
        parseTenantCsv(`org_id,name\n${randomUUID()},Good\n${id},Acme${character}Corp\n`),
      );
      expect(errors).toEqual([
        {
          code: 'TENANT_CSV_INVALID',
          field: 'csv.3',
          message: expect.stringContaining(
            `Line 3: An organisation name cannot contain invisible or text-direction characters: it has ${codePoint} at position 5`,
          ),
        },
      ]);
    }
    // Every character of the listed ranges, and nothing visible.
    const refused = [
      0x061c,
      0x200b,
      ...range(0x200e, 0x200f),
      ...range(0x202a, 0x202e),
      ...range(0x2060, 0x2064),
      ...range(0x2066, 0x2069),
      0xfeff,
    ];
    for (const code of refused)
      expect(
        () => parseTenantCsv(`org_id,name\n${id},A${String.fromCodePoint(code)}B\n`),
        code.toString(16),
      ).toThrow(HdsError);
    expect(parseTenantCsv(`org_id,name\n${id},Société Générale — القاهرة 東京 🏢\n`)).toHaveLength(1);
    // The zero-width non-joiner and joiner spell Persian and Indic names and emoji sequences.
    for (const name of ['می\u200Cخواهم', 'क्\u200Dष', 'Team 👩\u200D💻'])
      expect(parseTenantCsv(`org_id,name\n${id},${name}\n`)[0]?.name).toBe(name);
  });

  it('never crashes on hostile input: it returns tenants or a coded refusal', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (tail) => {
        try {
          const tenants = parseTenantCsv(`org_id,name\n${tail}`);
          for (const t of tenants) expect(t.name.length).toBeLessThanOrEqual(256);
        } catch (error) {
          expect(error instanceof HdsError || error instanceof HdsErrors).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips any list of names written with RFC 4180 quoting', () => {
    const name = fc
      .string({ minLength: 1, maxLength: 60 })
      .map((s) => s.replace(/\p{Cc}/gu, '').trim())
      .filter((s) => s.length > 0);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.uuid(), { minLength: 1, maxLength: 20 }),
        fc.array(name),
        (ids, names) => {
          const rows = ids.map((id, i) => ({
            orgId: id.toLowerCase(),
            name: names[i % Math.max(1, names.length)] ?? 'Org',
          }));
          const csv = [
            'org_id,name',
            ...rows.map((r) => `${r.orgId},"${r.name.replaceAll('"', '""')}"`),
          ].join('\n');
          expect(parseTenantCsv(csv)).toEqual(rows);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('finds the columns by name: reordered, other case, spaces around, extra columns ignored', () => {
    const [a, b] = [randomUUID(), randomUUID()];
    expect(
      parseTenantCsv(` Name ,Notes, ORG_ID \n"Acme, Ltd",x,{${a.toUpperCase()}}\nBeta,,  ${b}  \n`),
    ).toEqual([
      { orgId: a, name: 'Acme, Ltd' },
      { orgId: b, name: 'Beta' },
    ]);
    expect(refusalsOf(() => parseTenantCsv(`org_id,name,name\n${a},A,B\n`))[0]).toMatchObject({
      field: 'csv.1',
      message: expect.stringMatching(/column name twice/),
    });
    expect(refusalsOf(() => parseTenantCsv(`org_id,name,notes\n${a},"A, B"\n`))[0]!.message).toMatch(
      /^Line 2: expected 3 fields/,
    );
  });

  it('refuses bytes that are not UTF-8 (Latin-1, UTF-16) and the U+FFFD a browser puts in their place, naming the line', () => {
    const latin1 = Buffer.from(`org_id,name\n${randomUUID()},Plain\n${randomUUID()},Caf\xe9\n`, 'latin1');
    for (const input of [latin1, latin1.toString('utf8')])
      expect(refusalsOf(() => parseTenantCsv(input))).toEqual([
        expect.objectContaining({
          code: 'TENANT_CSV_INVALID',
          field: 'csv.3',
          message: expect.stringMatching(/UTF-8/),
        }),
      ]);
    const utf16 = Buffer.from(`\uFEFForg_id,name\n${randomUUID()},Acme\n`, 'utf16le');
    expect(refusalsOf(() => parseTenantCsv(utf16))[0]!.message).toMatch(/^Line 1: .*UTF-8/);
    expect(refusalsOf(() => parseTenantCsv(utf16.toString('utf8')))[0]!.message).toMatch(/^Line 1: /);
    const good = randomUUID();
    expect(parseTenantCsv(Buffer.from(`org_id,name\n${good},Café Müller 東京\n`))).toEqual([
      { orgId: good, name: 'Café Müller 東京' },
    ]);
  });

  it('says what is wrong with an empty file, a header alone, semicolons and a file that is not CSV', () => {
    const refusal = (input: string) => refusalsOf(() => parseTenantCsv(input))[0]!;
    expect(refusal('')).toMatchObject({
      code: 'TENANT_CSV_INVALID',
      message: expect.stringMatching(/empty/),
    });
    expect(refusal('\uFEFF\r\n')).toMatchObject({ message: expect.stringMatching(/empty/) });
    expect(refusal('org_id,name')).toMatchObject({ message: expect.stringMatching(/no organisation/) });
    expect(refusal(`org_id;name\n${randomUUID()};Acme\n`)).toMatchObject({
      field: 'csv.1',
      message: expect.stringMatching(/separated by ";"/),
    });
    expect(refusal('{"tenants": []}\n').code).toBe('TENANT_CSV_INVALID');
    expect(refusal(`org_id,name\n${randomUUID()},A\0B\n`)).toMatchObject({ field: 'csv.2' });
  });

  it('reads a 50 000-line file', () => {
    const ids = Array.from({ length: 50_000 }, () => randomUUID());
    const csv = `org_id,name\n${ids.map((id, i) => `${id},Tenant ${i}`).join('\r\n')}`;
    const tenants = parseTenantCsv(Buffer.from(csv));
    expect(tenants).toHaveLength(50_000);
    expect(tenants[49_999]).toEqual({ orgId: ids[49_999], name: 'Tenant 49999' });
  });
});
