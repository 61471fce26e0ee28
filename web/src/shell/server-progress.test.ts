import { describe, expect, it } from 'vitest';
import type { ReviewSection, ReviewState } from '../../../contract/config-iso';
import { progressFromReview } from './server-progress';

const section = (id: ReviewSection['id'], complete: boolean): ReviewSection => ({
  id,
  title: id,
  complete,
  items: [],
  notes: [],
});

const review = (overrides: Partial<ReviewState>): ReviewState => ({
  ok: true,
  origin: null,
  generation: null,
  previousGeneration: null,
  sections: [
    section('certificate', false),
    section('database', false),
    section('syslog', false),
    section('serviceAccounts', false),
  ],
  ready: false,
  ...overrides,
});

describe('the step list ticks from what the server holds', () => {
  it('ticks nothing before a deployment is chosen', () => {
    expect(progressFromReview(review({}))).toEqual([]);
  });

  it('after an import, ticks the carried-over sections (a reload keeps them)', () => {
    const imported = review({
      origin: 'imported',
      sections: [
        section('certificate', true),
        section('database', true),
        section('syslog', false),
        section('serviceAccounts', true),
      ],
    });
    expect(progressFromReview(imported)).toEqual([
      'overview',
      'isoImport',
      'certificate',
      'database',
      'serviceAccounts',
    ]);
  });

  it('ticks Review & download only once the backup is confirmed', () => {
    const built = {
      fileName: 'hds-config-kms.example.org-gen1.iso',
      size: 1,
      sha256: 'a'.repeat(64),
      generation: 1,
      backupAcknowledged: false,
    };
    expect(progressFromReview(review({ origin: 'new', built }))).not.toContain('review');
    expect(
      progressFromReview(review({ origin: 'new', built: { ...built, backupAcknowledged: true } })),
    ).toContain('review');
  });
});
