import { DerShapeError } from './der.js';

/**
 * The most iterations one key derivation may ask for. Real exports use 2 048 (OpenSSL, Windows),
 * 10 000 to 100 000 (Java keytool) and up to about 2 000 000 (some password vaults); ten million
 * leaves room above all of them while refusing a forged count such as 4 000 000 000.
 */
export const MAX_ITERATIONS_PER_DERIVATION = 10_000_000;
/**
 * The most derivation work one file may ask for in all, in hash iterations times output blocks:
 * enough for a file exported with `-iter 10000000` (MAC, certificates, key), not for many keys or
 * safes each at a high count. At the ~0.6 M SHA rounds per second of the PKCS12 KDF this is about
 * a minute, spent in slices that leave the event loop free.
 */
export const MAX_DERIVATION_WORK = 40_000_000;
/** Safes (ContentInfos) and bags one file may hold; a key server needs one key and its chain. */
export const MAX_SAFES = 32;
export const MAX_BAGS = 100;

/** The file asks for more work or more parts than any real export; `detail` says which. */
export class Pkcs12TooCostly extends Error {
  constructor(
    readonly detail: string,
    readonly kind: 'work' | 'parts',
  ) {
    super(detail);
  }
}

/**
 * The derivation work and the parts a PKCS12 asks for, counted from its structure before any key
 * is derived: every count is read first, so a hostile file costs a parse, not minutes of hashing.
 */
export class Pkcs12WorkBudget {
  private work = 0;
  private safes = 0;
  private bags = 0;

  /** One planned derivation of `iterations` rounds producing `blocks` hash outputs, for `what`. */
  charge(what: string, iterations: number, blocks = 1): void {
    if (iterations < 1) throw new DerShapeError(`${what} asks for ${iterations} key-derivation iterations`);
    if (iterations > MAX_ITERATIONS_PER_DERIVATION)
      throw new Pkcs12TooCostly(
        `${what} asks for ${iterations} key-derivation iterations (at most ${MAX_ITERATIONS_PER_DERIVATION} are read)`,
        'work',
      );
    this.work += iterations * blocks;
  }

  countSafes(count: number): void {
    this.safes += count;
  }

  countBags(count: number): void {
    this.bags += count;
  }

  /** Called once everything visible is counted: throws with the whole total, not a running one. */
  check(): void {
    if (this.safes > MAX_SAFES)
      throw new Pkcs12TooCostly(`it holds ${this.safes} safes (at most ${MAX_SAFES} are read)`, 'parts');
    if (this.bags > MAX_BAGS)
      throw new Pkcs12TooCostly(
        `it holds ${this.bags} bags of keys, certificates and other entries (at most ${MAX_BAGS} are read)`,
        'parts',
      );
    if (this.work > MAX_DERIVATION_WORK)
      throw new Pkcs12TooCostly(
        `its key derivations add up to ${this.work} hash iterations (at most ${MAX_DERIVATION_WORK} are read)`,
        'work',
      );
  }
}
