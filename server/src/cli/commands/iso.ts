import type { Command } from 'commander';
import type { IsoEntryInfo } from '../../../../iso/src/index.js';
import { runCommand, UsageError } from '../output.js';
import type { RegisterCommand } from './index.js';

// The ISO library loads only when an iso command runs: every other command starts faster.
const isoErrors = () => import('./iso-errors.js');

/** `hds-setup iso create|list|extract`: the ISO 9660 library for admins who cannot mount an ISO. */
export const registerIso: RegisterCommand = (program: Command, setExit) => {
  const iso = program
    .command('iso')
    .description('create, list or extract ISO 9660 images (Rock Ridge + Joliet)');

  iso
    .command('create')
    .description('pack a folder into an ISO image (modes, owners and times kept under Rock Ridge)')
    .argument('<dir>', 'the folder to pack')
    .requiredOption('-o, --output <file.iso>', 'the image to write')
    .option('-V, --volume-id <id>', 'volume id: up to 32 of A-Z, 0-9, _', 'CDROM')
    .option('--date <ISO-8601>', 'volume date (default now); same folder + same date = identical image')
    .option('--force', 'replace the output if it exists')
    .option('--json', 'print one JSON object')
    .action(
      async (
        dir: string,
        opts: { output: string; volumeId: string; date?: string; force?: boolean; json?: boolean },
      ) => {
        // Malformed option values are usage errors (exit 2), found before anything is read.
        const date = opts.date === undefined ? new Date() : parseDate(opts.date);
        const volumeId = opts.volumeId;
        if (!VOLUME_ID.test(volumeId))
          throw new UsageError(
            `-V "${volumeId}" is not a volume id: use 1 to 32 of A-Z, 0-9 and "_" (ECMA-119 d-characters).`,
          );
        setExit(
          await runCommand(Boolean(opts.json), async () => {
            const [{ withIsoErrors }, { createIsoFromDirectory }] = await Promise.all([
              isoErrors(),
              import('./iso-create.js'),
            ]);
            const created = await withIsoErrors(
              { invalid: '', badInput: 'Use -V with up to 32 of A-Z, 0-9 and "_".' },
              () => createIsoFromDirectory(dir, opts.output, { volumeId, date, force: Boolean(opts.force) }),
            );
            return {
              data: { ...created, volumeId, date: date.toISOString() },
              human: `Wrote ${created.output} (${created.bytes} bytes, ${created.files} files, ${created.directories} folders, volume ${volumeId}).`,
            };
          }),
        );
      },
    );

  iso
    .command('list')
    .description('list the files of an ISO image: mode, size, time, name')
    .argument('<file.iso>', 'the image')
    .option('--json', 'print one JSON object')
    .action(async (file: string, opts: { json?: boolean }) => {
      setExit(
        await runCommand(Boolean(opts.json), async () => {
          const [{ assertIsoImageReadable, withIsoErrors }, { openIsoImage }] = await Promise.all([
            isoErrors(),
            import('../../../../iso/src/index.js'),
          ]);
          assertIsoImageReadable(file);
          const image = await withIsoErrors(
            {
              invalid: 'The file is not a usable ISO image; build it again or copy it again.',
              badInput: 'Check the path of the ISO file.',
            },
            () => openIsoImage({ path: file }),
          );
          const entries = image.list();
          await image.close();
          return {
            data: {
              volumeId: image.volumeId,
              namesFrom: image.namesFrom,
              entries: entries.map((e) => ({
                path: e.path,
                type: e.type,
                size: e.size,
                mode: e.mode.toString(8).padStart(4, '0'),
                uid: e.uid,
                gid: e.gid,
                mtime: e.mtime.toISOString(),
                ...(e.linkTarget === undefined ? {} : { linkTarget: e.linkTarget }),
                ...(e.compressed ? { compressed: e.compressed } : {}),
              })),
            },
            human: [
              `Volume ${image.volumeId || '(no id)'}, names from ${image.namesFrom}, ${entries.length} entries`,
              ...entries.map(describeEntry),
            ].join('\n'),
          };
        }),
      );
    });

  iso
    .command('extract')
    .description('extract an ISO image into a new or empty folder, keeping modes and times')
    .argument('<file.iso>', 'the image')
    .argument('<dir>', 'the folder to extract into')
    .option('--json', 'print one JSON object')
    .action(async (file: string, dir: string, opts: { json?: boolean }) => {
      setExit(
        await runCommand(Boolean(opts.json), async () => {
          const { extractIso } = await import('./iso-extract.js');
          const result = await extractIso(file, dir);
          return {
            data: { ...result },
            human: `Extracted ${result.files} files and ${result.directories} folders (${result.bytes} bytes) into ${result.target}.`,
          };
        }),
      );
    });
};

/** The volume id is d-characters (ECMA-119 7.4.1, 8.4.6): checked here so a typo is a usage error. */
const VOLUME_ID = /^[A-Z0-9_]{1,32}$/;

/** ISO 8601 as the help shows it: a date, optionally a time (seconds, fraction) and a zone. */
const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/** The years an ISO 9660 directory record can hold (ECMA-119 9.1.5: years since 1900 in one byte). */
const FIRST_YEAR = 1900;
const LAST_YEAR = 2155;

/**
 * A malformed --date is a usage error. JavaScript's Date would roll an impossible day over
 * (2024-02-30 → March 1) and so build an image with a date nobody asked for: each part is checked.
 */
function parseDate(text: string): Date {
  const usage = (why: string) =>
    new UsageError(`--date "${text}" ${why}; write it like 2024-05-06T07:08:09Z.`);
  const parts = ISO_DATE.exec(text.trim());
  if (!parts) throw usage('is not an ISO-8601 date');
  const [year, month, day, hour = 0, minute = 0, second = 0] = parts
    .slice(1, 7)
    .map((p) => (p === undefined ? undefined : Number(p))) as number[];
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  if (month! < 1 || month! > 12 || day! < 1 || day! > daysInMonth)
    throw usage(`is not a calendar date (${String(month).padStart(2, '0')}/${year} has ${daysInMonth} days)`);
  if (hour > 23 || minute > 59 || second > 59) throw usage('is not a time of day (00:00:00 to 23:59:59)');
  const date = new Date(text.trim());
  if (Number.isNaN(date.getTime())) throw usage('is not an ISO-8601 date');
  const utcYear = date.getUTCFullYear();
  if (utcYear < FIRST_YEAR || utcYear > LAST_YEAR)
    throw usage(`is outside ${FIRST_YEAR}–${LAST_YEAR}, the years an ISO 9660 image can record`);
  return date;
}

const TYPE_LETTER = {
  file: '-',
  dir: 'd',
  symlink: 'l',
  'char-device': 'c',
  'block-device': 'b',
  fifo: 'p',
  socket: 's',
} as const;

function describeEntry(e: IsoEntryInfo): string {
  const bits = 'rwxrwxrwx'
    .split('')
    .map((c, i) => (e.mode & (0o400 >> i) ? c : '-'))
    .join('');
  const link = e.linkTarget === undefined ? '' : ` -> ${shown(e.linkTarget)}`;
  return `${TYPE_LETTER[e.type]}${bits} ${String(e.size).padStart(12)}  ${e.mtime.toISOString()}  ${shown(e.path)}${link}`;
}

/** A name with control characters (a newline could fake a line of the listing) is shown quoted. */
function shown(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we look for
  return /[\u0000-\u001f\u007f]/.test(name) ? JSON.stringify(name) : name;
}
