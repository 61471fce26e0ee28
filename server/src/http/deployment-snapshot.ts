import { HdsError } from '../../../contract/hds-error.js';
import type { WizardState } from './wizard-state.js';

/**
 * What a request that awaits (the database, the ISO writer) works with instead of the session's own
 * secret buffers. A discard or an import meanwhile zero-fills those (WizardState.wipe/replaceAll),
 * and a master key read halfway would bind a check value of zeros or write an ISO with a zero key.
 * So: copy the secrets before the first await, check the deployment is still the session's before
 * anything durable is written, and zero-fill the copies when done.
 */
export class DeploymentSnapshot {
  private readonly token: number;
  private readonly copies: Uint8Array[] = [];

  constructor(private readonly state: WizardState) {
    this.token = state.deploymentToken;
  }

  /**
   * `value` with every byte buffer in it (plain objects and arrays followed) replaced by this
   * snapshot's own copy; dates and other objects are shared. Call it before the first await.
   */
  copy<T>(value: T): T {
    return this.deepCopy(value, new Map()) as T;
  }

  /** Refuses (DEPLOYMENT_CHANGED) once the deployment it was taken from was discarded or replaced. */
  assertCurrent(): void {
    if (this.state.deploymentToken !== this.token)
      throw new HdsError(
        'DEPLOYMENT_CHANGED',
        'The deployment was discarded or replaced (another ISO imported) while this was running, so nothing was written. Start again with the deployment this session holds now.',
      );
  }

  /** Overwrites every copy it made. */
  wipe(): void {
    for (const bytes of this.copies) bytes.fill(0);
    this.copies.length = 0;
  }

  private deepCopy(value: unknown, seen: Map<object, unknown>): unknown {
    if (value === null || typeof value !== 'object') return value;
    if (seen.has(value)) return seen.get(value);
    if (ArrayBuffer.isView(value)) {
      const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      // Buffer.alloc never hands out a slice of Node's shared pool, so zero-filling touches only ours.
      const copy = Buffer.isBuffer(value) ? Buffer.alloc(bytes.length) : new Uint8Array(bytes.length);
      copy.set(bytes);
      this.copies.push(copy);
      seen.set(value, copy);
      return copy;
    }
    if (Array.isArray(value)) {
      const copy: unknown[] = [];
      seen.set(value, copy);
      for (const item of value) copy.push(this.deepCopy(item, seen));
      return copy;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    const copy: Record<string, unknown> = {};
    seen.set(value, copy);
    for (const [key, item] of Object.entries(value)) copy[key] = this.deepCopy(item, seen);
    return copy;
  }
}

/**
 * Runs `work` with a snapshot of the session's deployment and zero-fills its copies afterwards,
 * however it ends. `work` runs at once, so what it copies before its first await is consistent.
 */
export async function withDeploymentSnapshot<T>(
  state: WizardState,
  work: (snapshot: DeploymentSnapshot) => Promise<T>,
): Promise<T> {
  const snapshot = new DeploymentSnapshot(state);
  try {
    return await work(snapshot);
  } finally {
    snapshot.wipe();
  }
}
