import { parse } from 'csv-parse/sync';
import { HdsError, HdsErrors } from '../../../../contract/hds-error.js';
import { orgIdSchema, TENANT_CSV_MAX_BYTES, tenantNameSchema } from '../../../../contract/tenants.js';

export interface TenantToAdd {
  orgId: string;
  name: string;
}

const MAX_ROWS = 100_000;
const MAX_REPORTED = 200;
// csv-parse builds an error (stack, deep-copied context) for each record it skips or whose field
// count differs from the header's, ~0.05–0.1 ms each: a file of nothing but broken quoting (8 MB of
// `a"` lines, 2.8 million records) took minutes and 1.5 GB. Reading stops once more than
// MAX_REPORTED such records are found, or after this many skips (one record may be reported often).
const MAX_SKIPS = 10 * MAX_REPORTED;

function csvError(message: string, line?: number): HdsError {
  return new HdsError(
    'TENANT_CSV_INVALID',
    line ? `Line ${line}: ${message}` : message,
    line ? `csv.${line}` : 'csv',
  );
}

/**
 * The line a record starts on, given the line the previous one ended on (0 before the first):
 * the next line that is not blank (csv-parse skips blank lines).
 */
function recordStartLines(text: string): (previousEnd: number) => number {
  const lines = text.split('\n');
  return (previousEnd) => {
    let index = previousEnd;
    while (index < lines.length - 1 && /^[ \t]*$/.test(lines[index]!)) index++;
    return index + 1;
  };
}

/**
 * The 1-based line of the first byte that is not valid UTF-8, if any: a file saved as Latin-1 or
 * Windows-1252 (Excel's plain "CSV") would otherwise import names with U+FFFD in place of é or ü.
 */
function firstNonUtf8Line(bytes: Uint8Array): number | undefined {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return undefined;
  } catch {
    // Decode line by line to find where: a bad byte never belongs to a multi-byte newline.
    let line = 1;
    let start = 0;
    const decoder = new TextDecoder('utf-8', { fatal: true });
    for (let i = 0; i <= bytes.length; i++) {
      if (i < bytes.length && bytes[i] !== 0x0a) continue;
      try {
        decoder.decode(bytes.subarray(start, i));
      } catch {
        return line;
      }
      line++;
      start = i + 1;
    }
    return line;
  }
}

const NOT_UTF8 =
  'the file is not UTF-8 text (a byte here is not valid UTF-8; it may have been saved as Latin-1/Windows-1252 or UTF-16). Save it as "CSV UTF-8" and import it again.';

/** Columns of the header, by name in any case and with spaces around; other columns are ignored. */
function headerColumns(header: string[] | undefined): { orgId: number; name: number } {
  const names = (header ?? []).map((c) => c.trim().toLowerCase());
  const orgId = names.indexOf('org_id');
  const name = names.indexOf('name');
  const twice = ['org_id', 'name'].find((c) => names.indexOf(c) !== names.lastIndexOf(c));
  if (twice)
    throw csvError(`The header names the column ${twice} twice; keep one org_id and one name column.`, 1);
  if (orgId >= 0 && name >= 0) return { orgId, name };
  if (header && orgIdSchema.safeParse(header[0]).success)
    throw csvError('The file has no header: add the line org_id,name above the first organisation.', 1);
  const line = (header ?? []).join(',');
  const separator = [';', '\t', '|'].find((c) => line.includes(c));
  if (separator && line.toLowerCase().includes('org_id'))
    throw csvError(
      `The fields are separated by ${separator === '\t' ? 'tabs' : `"${separator}"`}; a tenant CSV separates them with commas (org_id,name). Export it again as CSV with commas.`,
      1,
    );
  throw csvError(
    `The first line must be the header org_id,name (then one organisation per line); it is "${line.slice(0, 80).replace(/\p{Cc}/gu, '?')}".`,
    1,
  );
}

/**
 * Reads a tenant list: a header naming the columns org_id and name (any order, any case; other columns
 * are ignored), one org per line (RFC 4180 quoting, so names may hold commas). Given the file's bytes,
 * anything that is not UTF-8 is refused. Every bad line is reported with its line number, and nothing
 * is returned unless every line is good — an import is all or nothing.
 */
export function parseTenantCsv(input: string | Uint8Array): TenantToAdd[] {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > TENANT_CSV_MAX_BYTES)
    throw csvError(
      `The CSV file is larger than ${TENANT_CSV_MAX_BYTES / 1024 / 1024} MB; split it into smaller files.`,
    );
  if (typeof input !== 'string') {
    const badLine = firstNonUtf8Line(input);
    if (badLine !== undefined) throw csvError(NOT_UTF8, badLine);
  }
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
  if (text.replace(/^\uFEFF/, '').trim() === '')
    throw csvError('The CSV file is empty: it needs the header org_id,name and one organisation per line.');
  // csv-parse counts a CRLF inside a quoted field as two lines, and a lone CR may be taken as the
  // record delimiter: with LF only, its line numbers are the editor's.
  const lf = text.replace(/\r\n?/g, '\n');
  // A browser reads a file as UTF-8 and puts U+FFFD where a byte was not: the same refusal as above.
  const replaced = lf.indexOf('\uFFFD');
  if (replaced >= 0) throw csvError(NOT_UTF8, lf.slice(0, replaced).split('\n').length);
  if (lf.includes('\0'))
    throw csvError(
      'the file holds NUL bytes: it is not a CSV text file (or it is UTF-16). Save it as "CSV UTF-8".',
      lf.slice(0, lf.indexOf('\0')).split('\n').length,
    );
  const recordStart = recordStartLines(lf);
  // Records and quoting errors in file order, each with the line it starts on. A record that
  // breaks the quoting is skipped and reported, and parsing goes on with the next one, so the
  // other bad lines are reported too (all or nothing, but every problem at once).
  type Parsed = { record: string[]; line: number } | { quoting: string; line: number };
  const parsed: Parsed[] = [];
  let lastEnd = 0;
  let skips = 0;
  let badRecords = 0;
  let stoppedAt: { line: number; why: 'records' | 'quotes' } | undefined;
  const stop = new Error('stop reading');
  try {
    parse(lf, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      max_record_size: 4096,
      to: MAX_ROWS + 2,
      skip_records_with_error: true,
      // `info.lines` is the line a record ends on; a quoted field may hold line breaks before it.
      on_record: (row, context) => {
        const { record } = row as unknown as { record: string[] };
        const breaks = record.reduce((n, field) => n + field.split('\n').length - 1, 0);
        const line = context.lines - breaks;
        lastEnd = context.lines;
        const header = parsed[0];
        if (
          header &&
          'record' in header &&
          record.length !== header.record.length &&
          ++badRecords > MAX_REPORTED
        ) {
          stoppedAt = { line, why: 'records' };
          throw stop;
        }
        parsed.push({ record, line });
        // Past the limit the file is refused whatever follows; csv-parse would read on to its end.
        if (parsed.length > MAX_ROWS + 1) throw stop;
        return row;
      },
      on_skip: (error) => {
        const e = error as unknown as { code?: string; message: string; lines?: number };
        // An unclosed quote runs to the end of the file: name the line its record starts on.
        const line =
          e.code === 'CSV_QUOTE_NOT_CLOSED' ? recordStart(lastEnd) : (e.lines ?? recordStart(lastEnd));
        lastEnd = Math.max(lastEnd, e.lines ?? lastEnd);
        // csv-parse may report one record twice (each stray quote): one error per line.
        const previous = parsed.at(-1);
        const repeated = previous && previous.line === line && 'quoting' in previous;
        if (!repeated && ++badRecords > MAX_REPORTED) stoppedAt = { line, why: 'records' };
        else if (++skips > MAX_SKIPS) stoppedAt = { line, why: 'quotes' };
        if (stoppedAt !== undefined) throw stop;
        if (!repeated) parsed.push({ quoting: e.message, line });
        return undefined;
      },
    });
  } catch (error) {
    if (error !== stop) throw error;
  }
  const quotingError = (q: { quoting: string; line: number }) =>
    csvError(
      `${q.quoting}. Fix the quoting of the record that starts on this line (a quote inside a name is written twice: "").`,
      q.line,
    );
  const first = parsed[0];
  if (first && 'quoting' in first) throw quotingError(first);
  const header = first as { record: string[]; line: number } | undefined;
  const column = headerColumns(header?.record);
  const width = header!.record.length;
  const rows = parsed.slice(1);
  if (rows.length === 0) throw csvError('The CSV file lists no organisation below its header.');
  if (rows.length > MAX_ROWS)
    throw csvError(`A CSV file may list at most ${MAX_ROWS} organisations; split it.`);

  const errors: HdsError[] = [];
  const seen = new Map<string, number>();
  const tenants: TenantToAdd[] = [];
  for (const row of rows) {
    // A quoted name may span lines: report the line the record starts on, where the admin looks.
    const { line } = row;
    if ('quoting' in row) {
      errors.push(quotingError(row));
      continue;
    }
    const { record } = row;
    if (record.length !== width) {
      errors.push(
        csvError(
          `expected ${width} fields (${header!.record.join(',')}), found ${record.length}. Quote names that contain commas.`,
          line,
        ),
      );
      continue;
    }
    const orgId = orgIdSchema.safeParse(record[column.orgId]);
    const name = tenantNameSchema.safeParse(record[column.name]);
    if (!orgId.success) errors.push(csvError(orgId.error.issues[0]!.message, line));
    if (!name.success) errors.push(csvError(name.error.issues[0]!.message, line));
    if (!orgId.success || !name.success) continue;
    const firstLine = seen.get(orgId.data);
    if (firstLine !== undefined) {
      errors.push(
        csvError(
          `org id ${orgId.data} is already listed on line ${firstLine}; list each organisation once.`,
          line,
        ),
      );
      continue;
    }
    seen.set(orgId.data, line);
    tenants.push({ orgId: orgId.data, name: name.data });
  }
  if (errors.length > MAX_REPORTED)
    errors.splice(
      MAX_REPORTED,
      errors.length,
      csvError(`…and ${errors.length - MAX_REPORTED} more bad lines.`),
    );
  if (stoppedAt !== undefined)
    errors.push(
      csvError(
        `The file has ${stoppedAt.why === 'records' ? `more than ${MAX_REPORTED} records with broken quoting or the wrong number of fields` : `more than ${MAX_SKIPS} quoting errors`}, so hds-setup stopped reading it at line ${stoppedAt.line}: check that it is a tenant CSV (org_id,name), fix those lines and import it again.`,
      ),
    );
  if (errors.length === 1) throw errors[0]!;
  if (errors.length > 1) throw new HdsErrors(errors);
  return tenants;
}
