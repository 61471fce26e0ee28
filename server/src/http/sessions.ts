import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const IDLE_TIMEOUT_MS = 30 * 60 * 1000;

/**
 * The sign-in token (valid for the life of the process) and the sessions it opened.
 * A session id is 256 random bits; only its SHA-256 is kept, so a heap dump does not hand out
 * live cookies.
 */
export class SessionRegistry {
  private readonly tokenDigest: Buffer;
  private readonly sessions = new Map<string, number>();

  constructor(
    signInToken: string,
    private readonly now: () => number = Date.now,
    private readonly idleTimeoutMs = IDLE_TIMEOUT_MS,
  ) {
    this.tokenDigest = digest(signInToken);
  }

  tokenMatches(candidate: string): boolean {
    return timingSafeEqual(digest(candidate), this.tokenDigest);
  }

  open(): string {
    const id = randomBytes(32).toString('base64url');
    this.sessions.set(digest(id).toString('hex'), this.now());
    return id;
  }

  /** 'valid' refreshes the idle timer; 'expired' and 'unknown' let the caller say which it was. */
  touch(id: string | undefined): 'valid' | 'expired' | 'unknown' {
    if (!id) return 'unknown';
    const key = digest(id).toString('hex');
    const lastSeen = this.sessions.get(key);
    if (lastSeen === undefined) return 'unknown';
    if (this.now() - lastSeen > this.idleTimeoutMs) {
      this.sessions.delete(key);
      return 'expired';
    }
    this.sessions.set(key, this.now());
    return 'valid';
  }

  close(id: string | undefined): void {
    if (id) this.sessions.delete(digest(id).toString('hex'));
  }

  closeAll(): void {
    this.sessions.clear();
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export function newSignInToken(): string {
  // 192 bits from the CSPRNG; URL-safe so it survives copy and paste from a terminal.
  return randomBytes(24).toString('base64url');
}
