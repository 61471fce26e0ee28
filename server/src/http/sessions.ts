import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const IDLE_TIMEOUT_MS = 30 * 60 * 1000;

/** What presenting a sign-in token achieved. */
export type SignInOutcome =
  | { outcome: 'signedIn'; sessionId: string }
  /** A used token, presented with the live session it opened: that session simply goes on. */
  | { outcome: 'resumed' }
  | { outcome: 'used' }
  | { outcome: 'wrong' };

/**
 * The sign-in tokens and the sessions they opened. Each token signs in once: the exchange
 * consumes it and issues the next one (handed to `onTokenIssued`, which prints it), so there is
 * always exactly one unused link in the terminal. Only SHA-256 digests of tokens and session ids
 * are kept, so a heap dump hands out neither a link nor a live cookie.
 *
 * Each session remembers the digest of the token that opened it: an admin who reopens that link
 * (from the terminal or history) in the browser still holding the session carries on, while the
 * same link anywhere else stays refused.
 */
export class SessionRegistry {
  private currentTokenDigest: Buffer;
  /** Digests of consumed tokens: a reused link gets its own answer, not "wrong token". */
  private readonly usedTokenDigests: Buffer[] = [];
  private readonly sessions = new Map<string, { lastSeen: number; tokenDigest: Buffer }>();

  constructor(
    firstToken: string,
    private readonly now: () => number = Date.now,
    private readonly idleTimeoutMs = IDLE_TIMEOUT_MS,
    private readonly onTokenIssued: (token: string) => void = () => undefined,
  ) {
    this.currentTokenDigest = digest(firstToken);
  }

  /**
   * Exchanges a token for a session. Synchronous, so two requests racing with the same token
   * cannot both win. Every comparison is constant-time and all used digests are checked.
   */
  signIn(candidate: string, heldSessionId?: string): SignInOutcome {
    const candidateDigest = digest(candidate);
    if (timingSafeEqual(candidateDigest, this.currentTokenDigest)) {
      this.usedTokenDigests.push(this.currentTokenDigest);
      const sessionId = this.open(this.currentTokenDigest);
      const next = newSignInToken();
      this.currentTokenDigest = digest(next);
      this.onTokenIssued(next);
      return { outcome: 'signedIn', sessionId };
    }
    let used = false;
    for (const usedDigest of this.usedTokenDigests)
      used = timingSafeEqual(candidateDigest, usedDigest) || used;
    if (!used) return { outcome: 'wrong' };
    const held = this.live(heldSessionId);
    // Only the link that opened this very session vouches for it; touch() first, so an expired one is gone.
    if (held && timingSafeEqual(candidateDigest, held.tokenDigest)) return { outcome: 'resumed' };
    return { outcome: 'used' };
  }

  private open(tokenDigest: Buffer): string {
    const id = randomBytes(32).toString('base64url');
    this.sessions.set(digest(id).toString('hex'), { lastSeen: this.now(), tokenDigest });
    return id;
  }

  /** The session behind a cookie, if it is still live (refreshing its idle timer). */
  private live(id: string | undefined): { tokenDigest: Buffer } | undefined {
    if (this.touch(id) !== 'valid') return undefined;
    return this.sessions.get(digest(id!).toString('hex'));
  }

  /** 'valid' refreshes the idle timer; 'expired' and 'unknown' let the caller say which it was. */
  touch(id: string | undefined): 'valid' | 'expired' | 'unknown' {
    if (!id) return 'unknown';
    const key = digest(id).toString('hex');
    const session = this.sessions.get(key);
    if (session === undefined) return 'unknown';
    if (this.now() - session.lastSeen > this.idleTimeoutMs) {
      this.sessions.delete(key);
      return 'expired';
    }
    session.lastSeen = this.now();
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
