import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeBrowser, launchBrowser, snapshot, startWizard, type WizardProcess } from '../fixtures.js';
import { IsoImportPage } from '../pages/iso-import-page.js';
import { ReviewPage } from '../pages/review-page.js';
import { ServiceAccountsPage } from '../pages/service-accounts-page.js';
import { SignInPage } from '../pages/sign-in-page.js';

const TITLES = ['Overview', 'ISO import', 'Certificate', 'Database', 'System logs', 'Service accounts'];

describe('the step list ticks a page only once the admin has answered it', () => {
  let wizard: WizardProcess;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    [wizard, browser] = await Promise.all([startWizard(), launchBrowser()]);
    page = await browser.newPage();
    await (await SignInPage.openLink(page, await wizard.nextSignInUrl())).getStarted();
  });
  afterAll(async () => {
    await closeBrowser();
    await wizard?.stop();
  });

  const steps = () => page.getByRole('navigation', { name: 'Setup steps' });
  /** The pages ticked (their buttons are named "<title> <hint> (done)"). */
  const done = async () => {
    const names = await steps()
      .getByRole('button', { name: /\(done\)$/ })
      .evaluateAll((buttons) => buttons.map((b) => b.textContent ?? ''));
    return TITLES.filter((title) => names.some((name) => name.replace(/^✓/, '').startsWith(title)));
  };
  const openStep = async (name: RegExp) => steps().getByRole('button', { name }).click();

  it('Service accounts of a new deployment: not done until the admin continues on its page, then done for good', async () => {
    await (await IsoImportPage.reached(page)).startNewDeployment();
    await expect.poll(done).toEqual(['Overview', 'ISO import']);

    // The review names it as still to do, with its generated accounts and how to finish it.
    await openStep(/Review/);
    const review = await ReviewPage.reached(page);
    const section = review.section('Service accounts');
    await expect(section.textContent()).resolves.toMatch(/not complete/);
    await expect(section.textContent()).resolves.toContain(
      'Open Service accounts and continue there to accept these secrets.',
    );
    expect(await section.getByRole('button', { name: 'Complete service accounts' }).count()).toBe(1);
    await snapshot(page, 'step-list-service-accounts-not-done');

    // Opening the page is not answering it.
    await section.getByRole('button', { name: 'Complete service accounts' }).click();
    const accounts = await ServiceAccountsPage.reached(page);
    expect((await accounts.accounts('New service accounts for this deployment')).map((r) => r.name)).toEqual([
      'kms',
      'indexing',
      'compliance',
    ]);
    await openStep(/Overview/);
    await openStep(/Service accounts/);
    await ServiceAccountsPage.reached(page);
    expect(await done()).toEqual(['Overview', 'ISO import']);

    await (await ServiceAccountsPage.reached(page)).continue();
    await expect.poll(done).toEqual(['Overview', 'ISO import', 'Service accounts']);
    await expect(review.section('Service accounts').textContent()).resolves.toMatch(/complete/);
    await expect(review.section('Service accounts').textContent()).resolves.not.toMatch(
      /not complete|Open Service accounts/,
    );
    await snapshot(page, 'step-list-service-accounts-done');

    // The tick comes from the server: a reload keeps it.
    await page.reload();
    await ReviewPage.reached(page);
    await expect.poll(done).toEqual(['Overview', 'ISO import', 'Service accounts']);
  });
});
