import { describe, expect, it } from 'vitest';
import { HdsError } from '../../../../contract/hds-error.js';
import {
  addMonths,
  allowedRotationModes,
  issueServiceAccounts,
  rotateServiceAccounts,
  viewServiceAccounts,
} from './service-accounts.js';

const now = new Date('2026-03-10T12:00:00Z');

describe('service accounts', () => {
  it('issues kms, indexing and compliance with distinct printable 256-bit secrets and a nine-month life', () => {
    const accounts = issueServiceAccounts(now);
    expect(accounts.map((a) => a.name)).toEqual(['kms', 'indexing', 'compliance']);
    for (const a of accounts) {
      expect(a.secret.toString('ascii')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(a.expiresAt.toISOString()).toBe('2026-12-10T12:00:00.000Z');
    }
    expect(new Set(accounts.map((a) => a.secret.toString())).size).toBe(3);
  });

  it('adds months without overflowing short months', () => {
    expect(addMonths(new Date('2026-05-31T00:00:00Z'), 9).toISOString()).toBe('2027-02-28T00:00:00.000Z');
  });

  it('keep returns the same secrets; soft keeps the old ones for 10 days; hard drops them', () => {
    const imported = issueServiceAccounts(now);
    const later = new Date('2026-06-01T00:00:00Z');
    const kept = rotateServiceAccounts(imported, 'keep', later);
    expect(kept.map((a) => a.secret.toString())).toEqual(imported.map((a) => a.secret.toString()));
    const soft = rotateServiceAccounts(imported, 'soft', later);
    for (const [i, a] of soft.entries()) {
      expect(a.secret.equals(imported[i]!.secret)).toBe(false);
      expect(a.previous?.secret.equals(imported[i]!.secret)).toBe(true);
      expect(a.previous?.validUntil.toISOString()).toBe('2026-06-11T00:00:00.000Z');
      expect(a.issuedAt).toEqual(later);
    }
    const hard = rotateServiceAccounts(imported, 'hard', later);
    expect(hard.every((a) => a.previous === undefined)).toBe(true);
  });

  it('expired secrets force a hard reset', () => {
    const imported = issueServiceAccounts(now);
    const afterExpiry = new Date('2027-01-01T00:00:00Z');
    expect(allowedRotationModes(imported, afterExpiry)).toEqual(['hard']);
    expect(() => rotateServiceAccounts(imported, 'keep', afterExpiry)).toThrow(HdsError);
    expect(() => rotateServiceAccounts(imported, 'soft', afterExpiry)).toThrow(/Hard reset/);
    expect(rotateServiceAccounts(imported, 'hard', afterExpiry).every((a) => !a.previous)).toBe(true);
    const views = viewServiceAccounts(imported, new Date('2026-11-20T00:00:00Z'));
    expect(views[0]).toMatchObject({ expired: false, expiresSoon: true });
  });
});
