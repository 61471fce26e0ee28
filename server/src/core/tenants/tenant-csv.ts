import { parse } from 'csv-parse/sync';
import { HdsError, HdsErrors } from '../../../../contract/hds-error.js';
import { orgIdSchema, TENANT_CSV_MAX_BYTES, tenantNameSchema } from '../../../../contract/tenants.js';

export interface TenantToAdd {
  orgId: string;
  name: string;
}

const MAX_ROWS = 100_000;
const MAX_REPORTED = 200;

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
 * Reads a tenant list: header `org_id,name`, one org per line (RFC 4180 quoting, so names may hold
 * commas). Every bad line is reported with its line number, and nothing is returned unless every
 * line is good — an import is all or nothing.
 */
export function parseTenantCsv(text: string): TenantToAdd[] {
  if (Buffer.byteLength(text, 'utf8') > TENANT_CSV_MAX_BYTES)
    throw csvError(
      `The CSV file is larger than ${TENANT_CSV_MAX_BYTES / 1024 / 1024} MB; split it into smaller files.`,
    );
  // csv-parse counts a CRLF inside a quoted field as two lines, and a lone CR may be taken as the
  // record delimiter: with LF only, its line numbers are the editor's.
  const lf = text.replace(/\r\n?/g, '\n');
  const recordStart = recordStartLines(lf);
  let lastEnd = 0;
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(lf, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      max_record_size: 4096,
      to: MAX_ROWS + 2,
      // `info.lines` is the line a record ends on; remember it to find where the next one starts.
      on_record: (record, context) => {
        lastEnd = context.lines;
        return record;
      },
    }) as unknown as typeof records;
  } catch (error) {
    const e = error as { message: string };
    throw csvError(
      `${e.message}. Fix the quoting of the record that starts on this line (a quote inside a name is written twice: "").`,
      recordStart(lastEnd),
    );
  }
  const [header, ...rows] = records;
  const columns = header?.record.map((c) => c.toLowerCase());
  if (columns?.length !== 2 || columns[0] !== 'org_id' || columns[1] !== 'name')
    throw csvError('The first line must be the header org_id,name (then one organisation per line).', 1);
  if (rows.length === 0) throw csvError('The CSV file lists no organisation below its header.');
  if (rows.length > MAX_ROWS)
    throw csvError(`A CSV file may list at most ${MAX_ROWS} organisations; split it.`);

  const errors: HdsError[] = [];
  const seen = new Map<string, number>();
  const tenants: TenantToAdd[] = [];
  let previousEnd = header!.info.lines;
  for (const { record, info } of rows) {
    // A quoted name may span lines: report the line the record starts on, where the admin looks.
    const line = recordStart(previousEnd);
    previousEnd = info.lines;
    if (record.length !== 2) {
      errors.push(
        csvError(
          `expected 2 fields (org_id,name), found ${record.length}. Quote names that contain commas.`,
          line,
        ),
      );
      continue;
    }
    const orgId = orgIdSchema.safeParse(record[0]);
    const name = tenantNameSchema.safeParse(record[1]);
    if (!orgId.success) errors.push(csvError(orgId.error.issues[0]!.message, line));
    if (!name.success) errors.push(csvError(name.error.issues[0]!.message, line));
    if (!orgId.success || !name.success) continue;
    const first = seen.get(orgId.data);
    if (first !== undefined) {
      errors.push(
        csvError(
          `org id ${orgId.data} is already listed on line ${first}; list each organisation once.`,
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
  if (errors.length === 1) throw errors[0]!;
  if (errors.length > 1) throw new HdsErrors(errors);
  return tenants;
}
