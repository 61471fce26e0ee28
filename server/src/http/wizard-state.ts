/**
 * What the admin has entered so far, kept in server memory only, for the life of the process.
 * Each capability adds its section by augmenting `WizardSections`:
 *
 *   declare module '../wizard-state.js' { interface WizardSections { syslog: AcceptedSyslog } }
 *
 * Secrets are held as Buffers/Uint8Arrays so they can be overwritten before they are dropped.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by declaration merging, one section per wizard page
export interface WizardSections {}

export class WizardState {
  sections: Partial<WizardSections> = {};
  private deploymentGeneration = 0;

  /**
   * Changes whenever the deployment is discarded or replaced (wipe, replaceAll): a request that
   * awaited compares it before writing anything for the deployment it started with.
   */
  get deploymentToken(): number {
    return this.deploymentGeneration;
  }

  get<K extends keyof WizardSections>(name: K): WizardSections[K] | undefined {
    return this.sections[name];
  }

  set<K extends keyof WizardSections>(name: K, value: WizardSections[K]): void {
    const previous = this.sections[name];
    this.sections[name] = value;
    if (previous !== undefined && previous !== value) this.zeroUnreferenced(previous);
  }

  clear<K extends keyof WizardSections>(name: K): void {
    const previous = this.sections[name];
    delete this.sections[name];
    if (previous !== undefined) this.zeroUnreferenced(previous);
  }

  /**
   * Overwrites every byte buffer reachable from the state, then forgets it all: when the tool stops,
   * and when the admin discards the deployment (the sign-in session is not part of the state).
   */
  wipe(): void {
    this.deploymentGeneration++;
    for (const bytes of byteViews(this.sections)) zero(bytes);
    this.sections = {};
  }

  /**
   * Takes every section of `next` in place of all of its own, at once: an import is loaded aside and
   * then replaces the previous deployment whole, so nothing of it (a pending CSR, a test result) is
   * left behind and a failed load leaves it untouched. `next` is emptied.
   */
  replaceAll(next: WizardState): void {
    this.deploymentGeneration++;
    const replaced = this.sections;
    this.sections = next.sections;
    next.sections = {};
    this.zeroUnreferenced(replaced);
  }

  /**
   * Overwrites the buffers of a replaced section, except those the state still uses (a new
   * section may carry a secret over, e.g. a kept service-account secret or an imported password).
   */
  private zeroUnreferenced(replaced: unknown): void {
    const live = byteViews(this.sections);
    for (const bytes of byteViews(replaced)) if (!overlapsAny(bytes, live)) zero(bytes);
  }
}

function byteViews(
  value: unknown,
  found: ArrayBufferView[] = [],
  seen = new Set<unknown>(),
): ArrayBufferView[] {
  if (value === null || typeof value !== 'object' || seen.has(value)) return found;
  seen.add(value);
  if (ArrayBuffer.isView(value)) {
    found.push(value);
    return found;
  }
  for (const child of Object.values(value)) byteViews(child, found, seen);
  return found;
}

/** Small Buffers share Node's pool: compare the bytes they cover, not the objects. */
function overlapsAny(view: ArrayBufferView, others: ArrayBufferView[]): boolean {
  const start = view.byteOffset;
  const end = start + view.byteLength;
  return others.some(
    (o) => o.buffer === view.buffer && o.byteOffset < end && start < o.byteOffset + o.byteLength,
  );
}

function zero(view: ArrayBufferView): void {
  new Uint8Array(view.buffer, view.byteOffset, view.byteLength).fill(0);
}
