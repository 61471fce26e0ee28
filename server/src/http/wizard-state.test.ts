import { describe, expect, it } from 'vitest';
import { WizardState } from './wizard-state.js';

type Loose = WizardState & { set(name: string, value: unknown): void; clear(name: string): void };

describe('WizardState', () => {
  it('overwrites the secrets of a replaced section', () => {
    const state = new WizardState() as Loose;
    const secret = Buffer.from('database-password');
    state.set('database', { password: secret });
    state.set('database', { password: Buffer.from('another') });
    expect(secret.every((b) => b === 0)).toBe(true);
  });

  it('keeps the secrets the new section (or another section) still uses', () => {
    const state = new WizardState() as Loose;
    const kept = Buffer.from('service-account-secret');
    const imported = [{ secret: kept }];
    state.set('serviceAccounts', { imported, accounts: imported });
    state.set('serviceAccounts', {
      imported,
      accounts: [{ secret: Buffer.from('new'), previous: { secret: kept } }],
    });
    expect(kept.toString()).toBe('service-account-secret');
    const password = Buffer.from('imported-db-password');
    state.set('deployment', { loaded: { password } });
    state.set('database', { password });
    state.clear('deployment');
    expect(password.toString()).toBe('imported-db-password');
  });

  it('wipes every buffer when the tool stops', () => {
    const state = new WizardState() as Loose;
    const key = Buffer.alloc(32, 7);
    state.set('deployment', { masterKey: key });
    state.wipe();
    expect(key.every((b) => b === 0)).toBe(true);
    expect(state.sections).toEqual({});
  });

  it('replaces every section at once, zero-filling what the new sections do not carry over', () => {
    const state = new WizardState() as Loose;
    const pendingKey = Buffer.from('-----BEGIN PRIVATE KEY----- pending');
    const oldKey = Buffer.alloc(32, 9);
    const carried = Buffer.from('carried-over-secret');
    state.set('certificateRequest', { privateKeyPem: pendingKey });
    state.set('deployment', { masterKey: oldKey, kept: carried });
    const next = new WizardState() as Loose;
    const newKey = Buffer.alloc(32, 5);
    next.set('deployment', { masterKey: newKey });
    next.set('database', { password: carried });
    state.replaceAll(next);
    expect(Object.keys(state.sections)).toEqual(['deployment', 'database']);
    expect(pendingKey.every((b) => b === 0)).toBe(true);
    expect(oldKey.every((b) => b === 0)).toBe(true);
    expect(newKey.every((b) => b === 5)).toBe(true);
    expect(carried.toString()).toBe('carried-over-secret');
    // The donor is emptied, so wiping it later cannot reach the sections it handed over.
    expect(next.sections).toEqual({});
  });
});
