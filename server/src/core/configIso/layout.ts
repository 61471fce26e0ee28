/**
 * The configuration ISO's file layout, contract v1 (docs/iso-format.md). Nodes mount the image
 * at /media/configdrive and read everything under `hds/`.
 */
export const CONFIG_ROOT = 'hds';
export const FORMAT_NAME = 'hds-config-iso';
export const FORMAT_VERSION = 1;

export const PATHS = {
  manifest: 'hds/manifest.json',
  config: 'hds/config.json',
  readme: 'hds/README.txt',
  kmsChain: 'hds/certs/kms-chain.pem',
  databaseRootCa: 'hds/certs/database-root-ca.pem',
  syslogRootCa: 'hds/certs/syslog-root-ca.pem',
  masterKey: 'hds/secrets/master-key',
  keystore: 'hds/secrets/kms-keystore.p12',
  keystorePassword: 'hds/secrets/kms-keystore.password',
  databasePassword: 'hds/secrets/database.password',
  serviceAccountSecret: (name: string) => `hds/secrets/service-accounts/${name}.secret`,
  serviceAccountPreviousSecret: (name: string) => `hds/secrets/service-accounts/${name}.previous.secret`,
} as const;

export const DIRECTORIES = [
  { path: 'hds', mode: 0o555 },
  { path: 'hds/certs', mode: 0o555 },
  { path: 'hds/secrets', mode: 0o500 },
  { path: 'hds/secrets/service-accounts', mode: 0o500 },
] as const;

/** Secrets are readable by their owner only; everything else is world-readable, nothing writable. */
export const SECRET_FILE_MODE = 0o400;
export const PUBLIC_FILE_MODE = 0o444;

export function isSecretPath(path: string): boolean {
  return path.startsWith('hds/secrets/');
}

/** ISO 9660 volume ids are at most 32 d-characters (ECMA-119 8.4.6). */
export function volumeIdFor(generation: number): string {
  return `HDS_CONFIG_GEN${generation}`.slice(0, 32);
}

export const README_TEXT = `HDS node configuration (hds-setup)

This folder is the whole configuration of a Hybrid Data Security key-server node.
It contains the MASTER KEY that encrypts every key in the key database.

- Anyone holding this ISO holds the master key: guard it like the key itself.
- Losing every copy of this ISO loses all content encrypted by this deployment, for good.
- Keep at least two copies in separate secure places.

manifest.json lists every file with its size, mode and SHA-256, and carries an HMAC-SHA256
keyed from the master key. \`hds-setup verify <this folder>\` checks it.
`;
