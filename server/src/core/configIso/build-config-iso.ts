import { buildIsoImage, type IsoTreeEntry } from '../../../../iso/src/index.js';
import { type ConfigDocument, relativeToRoot } from './config-document.js';
import type { ConfigIsoInput } from './config-iso-input.js';
import {
  DIRECTORIES,
  FORMAT_NAME,
  FORMAT_VERSION,
  isSecretPath,
  PATHS,
  PUBLIC_FILE_MODE,
  README_TEXT,
  SECRET_FILE_MODE,
  volumeIdFor,
} from './layout.js';
import { type Manifest, serializeManifest, sha256Hex, signManifest } from './manifest.js';

export interface BuiltConfigIso {
  bytes: Buffer;
  sha256: string;
  manifest: Manifest;
  manifestSha256: string;
  fileName: string;
}

/**
 * Maps a configuration to the ISO file tree (contract v1) and writes it. Pure: the same input
 * gives the same bytes (no clock, no randomness in here).
 */
export async function buildConfigIso(input: ConfigIsoInput): Promise<BuiltConfigIso> {
  const files = new Map<string, Buffer>();
  const put = (path: string, content: Buffer | string) =>
    files.set(path, Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'));

  put(PATHS.readme, README_TEXT);
  put(PATHS.masterKey, input.masterKey.toString('base64'));
  put(PATHS.keystore, input.certificate.pkcs12);
  put(PATHS.keystorePassword, input.certificate.password);
  put(PATHS.kmsChain, input.certificate.chainPem);
  put(PATHS.databasePassword, input.database.password);
  if (input.database.rootCaPem) put(PATHS.databaseRootCa, input.database.rootCaPem);
  if (input.syslog.rootCaPem) put(PATHS.syslogRootCa, input.syslog.rootCaPem);
  for (const account of input.serviceAccounts) {
    put(PATHS.serviceAccountSecret(account.name), account.secret);
    if (account.previous) put(PATHS.serviceAccountPreviousSecret(account.name), account.previous.secret);
  }
  put(PATHS.config, `${JSON.stringify(configDocument(input), null, 2)}\n`);

  const created = input.createdAt.toISOString();
  const manifest = signManifest(
    {
      format: FORMAT_NAME,
      formatVersion: FORMAT_VERSION,
      toolVersion: input.toolVersion,
      deploymentId: input.deploymentId,
      generation: input.generation,
      createdAt: created,
      previousManifestSha256: input.previousManifestSha256,
      files: [...files.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([path, bytes]) => ({ path, size: bytes.length, mode: modeOf(path), sha256: sha256Hex(bytes) })),
    },
    input.masterKey,
  );
  const manifestBytes = serializeManifest(manifest);
  files.set(PATHS.manifest, manifestBytes);

  const entries: IsoTreeEntry[] = [
    ...DIRECTORIES.map((d) => ({
      type: 'dir' as const,
      path: d.path,
      mode: d.mode,
      uid: 0,
      gid: 0,
      mtime: input.createdAt,
    })),
    ...[...files.entries()].map(([path, content]) => ({
      type: 'file' as const,
      path,
      mode: modeOf(path),
      uid: 0,
      gid: 0,
      mtime: input.createdAt,
      content,
    })),
  ];
  const bytes = await buildIsoImage(entries, {
    volumeId: volumeIdFor(input.generation),
    date: input.createdAt,
    publisher: 'HDS SETUP',
    applicationId: `HDS-SETUP ${input.toolVersion}`,
  });
  return {
    bytes,
    sha256: sha256Hex(bytes),
    manifest,
    manifestSha256: sha256Hex(manifestBytes),
    fileName: configIsoFileName(input.certificate.commonName, input.generation),
  };
}

function modeOf(path: string): number {
  return isSecretPath(path) ? SECRET_FILE_MODE : PUBLIC_FILE_MODE;
}

function configDocument(input: ConfigIsoInput): ConfigDocument {
  return {
    formatVersion: FORMAT_VERSION,
    deploymentId: input.deploymentId,
    generation: input.generation,
    createdAt: input.createdAt.toISOString(),
    masterKeyFile: relativeToRoot(PATHS.masterKey),
    certificate: {
      commonName: input.certificate.commonName,
      subjectAltNames: input.certificate.subjectAltNames,
      notBefore: input.certificate.notBefore.toISOString(),
      notAfter: input.certificate.notAfter.toISOString(),
      fingerprintSha256: input.certificate.fingerprintSha256,
      keystore: relativeToRoot(PATHS.keystore),
      keystorePasswordFile: relativeToRoot(PATHS.keystorePassword),
      keystoreFriendlyName: 'kms-private-key',
      chainFile: relativeToRoot(PATHS.kmsChain),
    },
    database: {
      settings: input.database.settings,
      passwordFile: relativeToRoot(PATHS.databasePassword),
      ...(input.database.rootCaPem ? { rootCaFile: relativeToRoot(PATHS.databaseRootCa) } : {}),
    },
    syslog: {
      ...input.syslog.settings,
      ...(input.syslog.rootCaPem ? { rootCaFile: relativeToRoot(PATHS.syslogRootCa) } : {}),
    },
    serviceAccounts: input.serviceAccounts.map((a) => ({
      name: a.name,
      issuedAt: a.issuedAt.toISOString(),
      expiresAt: a.expiresAt.toISOString(),
      secretFile: relativeToRoot(PATHS.serviceAccountSecret(a.name)),
      ...(a.previous
        ? {
            previous: {
              secretFile: relativeToRoot(PATHS.serviceAccountPreviousSecret(a.name)),
              validUntil: a.previous.validUntil.toISOString(),
            },
          }
        : {}),
    })),
  };
}

/** `hds-config-<cn>-gen<N>.iso`, with the CN made safe for every file system. */
export function configIsoFileName(commonName: string, generation: number): string {
  const safe =
    commonName
      .toLowerCase()
      .replace(/[^a-z0-9.-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 64) || 'node';
  return `hds-config-${safe}-gen${generation}.iso`;
}
