/**
 * What the admin has entered so far, kept in server memory only, for the life of the process.
 * Each capability adds its section by augmenting `WizardSections`:
 *
 *   declare module '../wizard-state.js' { interface WizardSections { syslog: AcceptedSyslog } }
 *
 * Secrets are held as Buffers/Uint8Arrays so `wipe()` can overwrite them before dropping them.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by declaration merging, one section per wizard page
export interface WizardSections {}

export class WizardState {
  sections: Partial<WizardSections> = {};

  get<K extends keyof WizardSections>(name: K): WizardSections[K] | undefined {
    return this.sections[name];
  }

  set<K extends keyof WizardSections>(name: K, value: WizardSections[K]): void {
    const previous = this.sections[name];
    if (previous !== undefined && previous !== value) zeroSecrets(previous);
    this.sections[name] = value;
  }

  clear<K extends keyof WizardSections>(name: K): void {
    const previous = this.sections[name];
    if (previous !== undefined) zeroSecrets(previous);
    delete this.sections[name];
  }

  /** Overwrites every byte buffer reachable from the state, then forgets it all. */
  wipe(): void {
    zeroSecrets(this.sections);
    this.sections = {};
  }
}

function zeroSecrets(value: unknown, seen = new Set<unknown>()): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (ArrayBuffer.isView(value)) {
    new Uint8Array(value.buffer, value.byteOffset, value.byteLength).fill(0);
    return;
  }
  for (const child of Object.values(value)) zeroSecrets(child, seen);
}
