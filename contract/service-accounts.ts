import { z } from 'zod';

/** The nodes' machine credentials: one per security function (PRODUCT.md page 7). */
export const SERVICE_ACCOUNT_NAMES = ['kms', 'indexing', 'compliance'] as const;
export type ServiceAccountName = (typeof SERVICE_ACCOUNT_NAMES)[number];

/** keep: same secrets; soft: new secrets, old ones valid 10 more days; hard: old ones invalid at once. */
export const ROTATION_MODES = ['keep', 'soft', 'hard'] as const;
export type RotationMode = (typeof ROTATION_MODES)[number];

export const rotationRequestSchema = z.strictObject({
  mode: z.enum(ROTATION_MODES, { message: 'Choose keep, soft or hard.' }),
});

export const SERVICE_ACCOUNT_LIFESPAN_MONTHS = 9;
export const SOFT_RESET_GRACE_DAYS = 10;
export const EXPIRY_WARNING_DAYS = 30;

/** What the page shows of one account: never the secret. */
export interface ServiceAccountView {
  name: ServiceAccountName;
  issuedAt: string;
  expiresAt: string;
  expired: boolean;
  expiresSoon: boolean;
  /** After a soft reset: when the previous secret stops working. */
  previousValidUntil?: string;
}

export interface ServiceAccountsState {
  ok: true;
  /** 'new' before any choice on a new deployment. */
  mode: RotationMode | 'new';
  /** Modes the admin may choose now (keep disappears once a secret has expired). */
  allowedModes: (RotationMode | 'new')[];
  accounts: ServiceAccountView[];
  /** The accounts as they were in the imported ISO, if any. */
  imported?: ServiceAccountView[];
}
