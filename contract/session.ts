import { z } from 'zod';

export const signInRequestSchema = z.object({
  token: z.string().min(1, 'Paste the sign-in token printed by hds-setup when it started.').max(200),
});
export type SignInRequest = z.infer<typeof signInRequestSchema>;

export interface SessionStatus {
  ok: true;
  signedIn: true;
  /** Minutes of inactivity after which the session ends. */
  idleTimeoutMinutes: number;
  version: string;
}
