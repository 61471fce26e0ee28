import { describe, expect, it } from 'vitest';
import { withDeploymentSnapshot } from './deployment-snapshot.js';
import { WizardState } from './wizard-state.js';

type Loose = WizardState & { set(name: string, value: unknown): void };
const zeroFilled = (bytes: Uint8Array) => bytes.every((b) => b === 0);

describe('DeploymentSnapshot', () => {
  it('keeps its own copy of every secret through a discard, refuses afterwards, and zero-fills the copy when done', async () => {
    const state = new WizardState() as Loose;
    const masterKey = Buffer.from('master-key-master-key-master-key');
    const issuedAt = new Date('2026-01-01T00:00:00Z');
    state.set('deployment', { masterKey });
    const accounts = [
      { secret: Buffer.from('kms-secret'), issuedAt, previous: { secret: Buffer.from('old') } },
    ];
    state.set('serviceAccounts', { accounts });
    let copied: { key: Buffer; accounts: typeof accounts } | undefined;
    const outcome = withDeploymentSnapshot(state, async (snapshot) => {
      copied = snapshot.copy({ key: masterKey, accounts });
      snapshot.assertCurrent();
      await Promise.resolve();
      state.wipe();
      expect(zeroFilled(masterKey)).toBe(true);
      expect(copied!.key.toString()).toBe('master-key-master-key-master-key');
      expect(copied!.accounts[0]!.secret.toString()).toBe('kms-secret');
      expect(copied!.accounts[0]!.previous.secret.toString()).toBe('old');
      expect(copied!.accounts[0]!.issuedAt).toBe(issuedAt);
      snapshot.assertCurrent();
    });
    await expect(outcome).rejects.toMatchObject({ code: 'DEPLOYMENT_CHANGED' });
    expect(zeroFilled(copied!.key)).toBe(true);
    expect(zeroFilled(copied!.accounts[0]!.secret)).toBe(true);
    expect(zeroFilled(copied!.accounts[0]!.previous.secret)).toBe(true);
  });

  it('an import replacing the deployment counts as a change too; a page saved meanwhile does not', async () => {
    const state = new WizardState() as Loose;
    state.set('deployment', { masterKey: Buffer.from('first') });
    await withDeploymentSnapshot(state, async (snapshot) => {
      state.set('syslog', { settings: {} });
      snapshot.assertCurrent();
      state.replaceAll(new WizardState());
      expect(() => snapshot.assertCurrent()).toThrow(/discarded or replaced.*nothing was written/);
    });
  });
});
