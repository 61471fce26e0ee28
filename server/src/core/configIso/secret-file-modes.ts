import { HdsError } from '../../../../contract/hds-error.js';
import type { SourceEntry } from './config-source.js';
import { isSecretPath } from './layout.js';
import type { Manifest, ManifestFile } from './manifest.js';

/** Any permission for group or others (rwx rwx): secrets are the owner's alone (contract v1: 0400). */
const GROUP_OR_OTHERS = 0o077;
/** Write for group or others on a folder: anyone could swap a secret for their own. */
const WRITABLE_BY_OTHERS = 0o022;

/**
 * On a folder (mounted or extracted), the secrets are protected by their modes alone. The ISO's
 * Rock Ridge modes keep them 0400 in 0500 folders, so a mount or `xorriso -osirrox on -extract`
 * keeps them private; 7-Zip reads the Joliet tree, which has no modes, and writes them 0644 in 0755
 * folders — readable by every user of the machine. A node must not start from such a folder.
 */
export function assertSecretsPrivate(entries: SourceEntry[], root: string): void {
  const exposed = entries.filter(
    (e) =>
      isSecretPath(e.path) &&
      ((e.type === 'file' && (e.mode & GROUP_OR_OTHERS) !== 0) ||
        (e.type === 'dir' && (e.mode & WRITABLE_BY_OTHERS) !== 0)),
  );
  if (exposed.length === 0) return;
  const folder = root.replace(/\/+$/, '') || '/';
  const listed = exposed
    .slice(0, 4)
    .map((e) => `${e.path} (${e.mode.toString(8).padStart(4, '0')})`)
    .join(', ');
  const more = exposed.length > 4 ? ` and ${exposed.length - 4} more` : '';
  throw new HdsError(
    'ISO_SECRET_EXPOSED',
    `${exposed.length === 1 ? 'A secret' : `${exposed.length} secrets`} in ${folder} can be read or changed by users other than the owner: ${listed}${more}. The configuration keeps secrets at mode 0400 in 0500 folders. This happens when the ISO is extracted by a tool that drops its Rock Ridge modes (7-Zip). Mount the ISO instead (or extract it with \`xorriso -osirrox on -indev <file.iso> -extract / <dir>\`), or restrict this copy with \`chmod -R go-rwx ${folder}/hds/secrets\`, then verify again. If other users could reach this folder meanwhile, treat its secrets as exposed.`,
  );
}

const RECOVER =
  'Its contents are intact (every checksum and the MAC verify): give nodes the ISO hds-setup produced (your backup), or import this copy (the wizard, or `hds-setup build --import`) and build the next generation, which is written with the right modes.';

/**
 * On an image, a node sees the Rock Ridge modes the manifest lists (secrets 0400). A copy re-packed
 * without Rock Ridge, or by a tool that rewrote modes (genisoimage -r, a 7-Zip extraction), has the
 * right bytes but would show the secrets to every user of the node: not fit for nodes.
 */
export function assertIsoModes(
  namesFrom: 'rockridge' | 'joliet' | 'plain' | undefined,
  entries: SourceEntry[],
  manifest: Manifest,
): void {
  if (namesFrom !== 'rockridge')
    throw new HdsError(
      'ISO_SECRET_EXPOSED',
      `This image has no Rock Ridge extensions (${namesFrom === 'joliet' ? 'Joliet names only' : 'plain names only'}): it was re-packed without keeping file modes (mkisofs, genisoimage and xorriso need \`-R -J\`), and a node mounting it would show every secret to every user. ${RECOVER}`,
    );
  const modes = new Map(entries.map((e) => [e.path, e.mode]));
  const changed = manifest.files.filter((f) => modes.get(f.path) !== f.mode);
  if (changed.length === 0) return;
  const describe = (f: ManifestFile) =>
    `${f.path} has mode ${octal(modes.get(f.path) ?? 0)} (the manifest says ${octal(f.mode)})`;
  const exposed = changed.filter(
    (f) => isSecretPath(f.path) && ((modes.get(f.path) ?? 0) & GROUP_OR_OTHERS) !== 0,
  );
  const listed = (exposed.length > 0 ? exposed : changed).slice(0, 4).map(describe).join(', ');
  const more = (exposed.length > 0 ? exposed : changed).length > 4 ? ' and more' : '';
  if (exposed.length > 0)
    throw new HdsError(
      'ISO_SECRET_EXPOSED',
      `In this image ${listed}${more}: it was re-packed by a tool that rewrote file modes, and a node mounting it would show these secrets to every user. ${RECOVER}`,
    );
  throw new HdsError(
    'ISO_CORRUPT',
    `In this image ${listed}${more}: it was re-packed by a tool that rewrote file modes. ${RECOVER}`,
  );
}

/** What a node would check (assertIsoModes), as a yes/no for an import, which accepts either. */
export function isoModesIntact(
  namesFrom: 'rockridge' | 'joliet' | 'plain' | undefined,
  entries: SourceEntry[],
  manifest: Manifest,
): boolean {
  try {
    assertIsoModes(namesFrom, entries, manifest);
    return true;
  } catch (error) {
    if (error instanceof HdsError) return false;
    throw error;
  }
}

function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}
