import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from './canonical-json.js';
import { FORMAT_NAME } from './layout.js';

export const manifestFileSchema = z.strictObject({
  path: z.string().min(1).max(255),
  size: z
    .number()
    .int()
    .min(0)
    .max(64 * 1024 * 1024),
  mode: z.number().int().min(0).max(0o7777),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const manifestSchema = z.object({
  format: z.literal(FORMAT_NAME),
  formatVersion: z.number().int().min(1),
  toolVersion: z.string().max(64),
  deploymentId: z.string().uuid(),
  generation: z.number().int().min(1).max(1_000_000),
  createdAt: z.string().datetime(),
  previousManifestSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable(),
  files: z.array(manifestFileSchema).max(1000),
  mac: z.strictObject({
    algorithm: z.literal('HMAC-SHA256'),
    keyDerivation: z.literal('HKDF-SHA256'),
    value: z.string().regex(/^[0-9a-f]{64}$/),
  }),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestFile = z.infer<typeof manifestFileSchema>;
export type UnsignedManifest = Omit<Manifest, 'mac'>;

/** HKDF inputs of the manifest MAC key; documented in docs/iso-format.md. */
const MAC_SALT = Buffer.from('hds-setup config-iso manifest-mac v1', 'utf8');

function macKey(masterKey: Buffer, deploymentId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, MAC_SALT, Buffer.from(deploymentId, 'utf8'), 32));
}

/** HMAC-SHA256 over the canonical JSON of the manifest without its `mac` member. */
export function computeManifestMac(manifest: UnsignedManifest, masterKey: Buffer): string {
  const { mac: _ignored, ...unsigned } = manifest as Manifest;
  return createHmac('sha256', macKey(masterKey, manifest.deploymentId))
    .update(canonicalJson(unsigned), 'utf8')
    .digest('hex');
}

export function signManifest(unsigned: UnsignedManifest, masterKey: Buffer): Manifest {
  return {
    ...unsigned,
    mac: {
      algorithm: 'HMAC-SHA256',
      keyDerivation: 'HKDF-SHA256',
      value: computeManifestMac(unsigned, masterKey),
    },
  };
}

export function manifestMacMatches(manifest: Manifest, masterKey: Buffer): boolean {
  const expected = Buffer.from(computeManifestMac(manifest, masterKey), 'hex');
  return timingSafeEqual(expected, Buffer.from(manifest.mac.value, 'hex'));
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The manifest file's bytes: pretty, stable, with a final newline (humans read it too). */
export function serializeManifest(manifest: Manifest): Buffer {
  return Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
}
