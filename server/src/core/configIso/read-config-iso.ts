import type { DatabaseSettings } from '../../../../contract/database.js';
import { HdsError } from '../../../../contract/hds-error.js';
import { MASTER_KEY_BYTES } from '../secrets/master-key.js';
import type { ServiceAccount } from '../secrets/service-accounts.js';
import { type ConfigDocument, configDocumentSchema, type SyslogConfig } from './config-document.js';
import { type ConfigSource, openDirectorySource, openIsoSource } from './config-source.js';
import { CONFIG_ROOT, FORMAT_NAME, FORMAT_VERSION, PATHS } from './layout.js';
import { type Manifest, manifestMacMatches, manifestSchema, sha256Hex } from './manifest.js';
import { assertIsoModes, assertSecretsPrivate, isoModesIntact } from './secret-file-modes.js';

const MAX_MANIFEST_BYTES = 1024 * 1024;
const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** A verified configuration, secrets included. Only ever held in server memory. */
export interface LoadedConfigIso {
  manifest: Manifest;
  manifestSha256: string;
  config: ConfigDocument;
  masterKey: Buffer;
  certificate: { pkcs12: Buffer; password: Buffer; chainPem: string };
  database: { settings: DatabaseSettings; password: Buffer; rootCaPem?: string };
  syslog: { settings: SyslogConfig; rootCaPem?: string };
  serviceAccounts: ServiceAccount[];
  /**
   * Import only: the image lost its Rock Ridge modes (why a node would refuse it). Its contents
   * verified, so the deployment is recovered; the admin is told not to give this copy to nodes.
   */
  modesLost?: true;
}

export interface ReadConfigIsoOptions {
  /**
   * `node` (default; inspect, verify): would a node accept this image — contents, MAC and the
   * Rock Ridge modes. `import` (wizard, build --import): contents and MAC only; a copy
   * re-packed without its modes still recovers the deployment, and the next ISO gets them back.
   */
  purpose?: 'node' | 'import';
}

/** Reads and verifies a configuration ISO (file path or bytes). Throws ISO_* HdsErrors. */
export async function readConfigIso(
  source: Buffer | string,
  options: ReadConfigIsoOptions = {},
): Promise<LoadedConfigIso> {
  const opened = await openIsoSource(source);
  try {
    const loaded = await loadVerified(opened);
    const entries = await opened.entries();
    if ((options.purpose ?? 'node') === 'node') assertIsoModes(opened.namesFrom, entries, loaded.manifest);
    else if (!isoModesIntact(opened.namesFrom, entries, loaded.manifest)) loaded.modesLost = true;
    return loaded;
  } finally {
    await opened.close();
  }
}

/** The same verification for the folder a node mounted (`/media/configdrive` or its `hds/`). */
export async function readConfigDirectory(dir: string): Promise<LoadedConfigIso> {
  const opened = await openDirectorySource(dir);
  try {
    return await loadVerified(opened);
  } finally {
    await opened.close();
  }
}

async function loadVerified(source: ConfigSource): Promise<LoadedConfigIso> {
  const entries = await source.entries();
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const manifestEntry = byPath.get(PATHS.manifest);
  if (manifestEntry?.type !== 'file')
    throw new HdsError(
      'ISO_NOT_HDS',
      source.namesFrom === 'plain'
        ? 'This ISO image has plain ISO 9660 names only (no Rock Ridge or Joliet), so hds/manifest.json cannot be found: if it is a configuration ISO, it was re-packed without keeping names and modes (mkisofs, genisoimage and xorriso need `-R -J`). Use the configuration ISO hds-setup produced (your backup).'
        : source.kind === 'directory'
          ? `This folder holds no HDS configuration (there is no ${PATHS.manifest}). Give the folder where the configuration ISO is mounted (/media/configdrive or its hds/ folder), or the ISO file.`
          : byPath.has(CONFIG_ROOT)
            ? `This image has an ${CONFIG_ROOT}/ folder but no ${PATHS.manifest}: it was not made by hds-setup, or it was altered. Use the configuration ISO hds-setup produced.`
            : 'This is an ISO image, but not an HDS configuration ISO (there is no hds/manifest.json). Choose the ISO that hds-setup produced.',
    );
  const manifestBytes = await source.read(PATHS.manifest, MAX_MANIFEST_BYTES);
  const manifest = parseManifest(manifestBytes);
  const manifestSha256 = sha256Hex(manifestBytes);

  for (const file of manifest.files) {
    const entry = byPath.get(file.path);
    if (entry && entry.type !== 'file')
      throw corrupt(
        file.path,
        `it is ${entry.type === 'dir' ? 'a folder' : 'a link or special file'} where the configuration has a file`,
      );
    // A folder on the way that was replaced by a link (or a special file) changed type: not "missing".
    const replacedFolder = entry ? undefined : replacedAncestor(file.path, byPath);
    if (replacedFolder)
      throw corrupt(replacedFolder, 'it is a link or special file where the configuration has a folder');
    if (entry?.type !== 'file')
      throw new HdsError(
        'ISO_INCOMPLETE',
        `${file.path} is missing from the configuration. The ISO is incomplete: use an intact copy of it (your backup).`,
      );
  }
  const listed = new Set([PATHS.manifest, ...manifest.files.map((f) => f.path)]);
  for (const entry of entries)
    if (entry.type !== 'dir' && !listed.has(entry.path))
      throw new HdsError(
        'ISO_CORRUPT',
        `${entry.path} is not part of this configuration (the manifest does not list it): the ISO was edited or mixed with another. Use an intact copy.`,
      );

  const contents = new Map<string, Buffer>();
  for (const file of manifest.files) {
    const entry = byPath.get(file.path)!;
    if (entry.size !== file.size)
      throw corrupt(file.path, `its size is ${entry.size} bytes; the manifest says ${file.size}`);
    const bytes = await source.read(file.path, MAX_FILE_BYTES);
    if (sha256Hex(bytes) !== file.sha256)
      throw corrupt(file.path, 'its SHA-256 checksum does not match the manifest');
    contents.set(file.path, bytes);
  }

  const masterKeyText = contents.get(PATHS.masterKey);
  if (!masterKeyText)
    throw new HdsError('ISO_INCOMPLETE', `${PATHS.masterKey} is missing: this ISO holds no master key.`);
  const masterKey = Buffer.from(masterKeyText.toString('ascii'), 'base64');
  if (masterKey.length !== MASTER_KEY_BYTES) throw corrupt(PATHS.masterKey, 'it does not hold a 256-bit key');
  if (!manifestMacMatches(manifest, masterKey))
    throw new HdsError(
      'ISO_CORRUPT',
      `${PATHS.manifest} does not match this ISO's master key (its MAC fails): the manifest was edited, or files were mixed from two ISOs. Use an intact copy.`,
    );

  const configBytes = contents.get(PATHS.config);
  if (!configBytes)
    throw new HdsError('ISO_INCOMPLETE', `${PATHS.config} is missing from the configuration.`);
  const config = parseConfig(configBytes);
  if (config.deploymentId !== manifest.deploymentId || config.generation !== manifest.generation)
    throw corrupt(PATHS.config, 'it belongs to another deployment or generation than the manifest');

  // Intact (as an ISO would be); on a folder, the secrets must also be private to their owner.
  if (source.kind === 'directory') assertSecretsPrivate(entries, source.root ?? '.');

  const file = (relative: string) => {
    const bytes = contents.get(`${CONFIG_ROOT}/${relative}`);
    if (!bytes)
      throw new HdsError('ISO_INCOMPLETE', `${CONFIG_ROOT}/${relative} (named by config.json) is missing.`);
    return bytes;
  };
  return {
    manifest,
    manifestSha256,
    config,
    masterKey,
    certificate: {
      pkcs12: file(config.certificate.keystore),
      password: file(config.certificate.keystorePasswordFile),
      chainPem: file(config.certificate.chainFile).toString('utf8'),
    },
    database: {
      settings: config.database.settings,
      password: file(config.database.passwordFile),
      ...(config.database.rootCaFile ? { rootCaPem: file(config.database.rootCaFile).toString('utf8') } : {}),
    },
    syslog: {
      settings: { url: config.syslog.url, tls: config.syslog.tls, termination: config.syslog.termination },
      ...(config.syslog.rootCaFile ? { rootCaPem: file(config.syslog.rootCaFile).toString('utf8') } : {}),
    },
    serviceAccounts: config.serviceAccounts.map((a) => ({
      name: a.name,
      secret: file(a.secretFile),
      issuedAt: new Date(a.issuedAt),
      expiresAt: new Date(a.expiresAt),
      ...(a.previous
        ? { previous: { secret: file(a.previous.secretFile), validUntil: new Date(a.previous.validUntil) } }
        : {}),
    })),
  };
}

function corrupt(path: string, why: string): HdsError {
  return new HdsError(
    'ISO_CORRUPT',
    `${path} is corrupt: ${why}. The ISO was damaged or edited; use an intact copy (your backup).`,
  );
}

function parseManifest(bytes: Buffer): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw corrupt(PATHS.manifest, 'it is not valid JSON');
  }
  const head = raw as { format?: unknown; formatVersion?: unknown };
  if (head?.format !== FORMAT_NAME)
    throw new HdsError(
      'ISO_NOT_HDS',
      `${PATHS.manifest} is not an hds-setup manifest. Choose the ISO that hds-setup produced.`,
    );
  if (typeof head.formatVersion === 'number' && head.formatVersion > FORMAT_VERSION)
    throw new HdsError(
      'ISO_VERSION_UNSUPPORTED',
      `This ISO uses configuration format ${head.formatVersion}; this hds-setup reads format ${FORMAT_VERSION}. It was made by a newer hds-setup: use that version (or newer) to import it.`,
    );
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success)
    throw corrupt(
      PATHS.manifest,
      `it does not follow the format (${parsed.error.issues[0]?.path.join('.')})`,
    );
  return parsed.data;
}

function parseConfig(bytes: Buffer): ConfigDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw corrupt(PATHS.config, 'it is not valid JSON');
  }
  const parsed = configDocumentSchema.safeParse(raw);
  if (!parsed.success)
    throw corrupt(PATHS.config, `it does not follow the format (${parsed.error.issues[0]?.path.join('.')})`);
  return parsed.data;
}

/** The first folder of `path` that exists but is not a folder (a symbolic link, a device …). */
function replacedAncestor(path: string, byPath: Map<string, { type: string }>): string | undefined {
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) {
    const folder = parts.slice(0, i).join('/');
    const found = byPath.get(folder);
    if (found && found.type !== 'dir') return folder;
  }
  return undefined;
}
