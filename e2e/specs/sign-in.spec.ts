import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserStorageDump,
  closeBrowser,
  launchBrowser,
  startWizard,
  type WizardProcess,
} from '../fixtures.js';
import { SignInPage } from '../pages/sign-in-page.js';

describe('signing in to the wizard', () => {
  let wizard: WizardProcess;
  let browser: Browser;
  beforeAll(async () => {
    wizard = await startWizard();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await closeBrowser();
    await wizard.stop();
  });

  it('opens the printed link, reaches the Overview, and drops the token from the address bar', async () => {
    const page = await browser.newPage();
    const overview = await SignInPage.openLink(page, wizard.signInUrl);
    await expect(overview.heading.isVisible()).resolves.toBe(true);
    expect(page.url()).not.toContain('token=');
    const token = new URL(wizard.signInUrl).searchParams.get('token')!;
    const stored = await browserStorageDump(page);
    expect(stored).not.toContain(token);
    const cookies = await page.context().cookies();
    expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite])).toEqual([['hds_session', true, 'Strict']]);
    // The step list shows where the admin is.
    const overviewStep = page
      .getByRole('navigation', { name: 'Setup steps' })
      .getByRole('button', { name: /Overview/ });
    await expect(overviewStep.getAttribute('aria-current')).resolves.toBe('step');
    await page.close();
  });

  it('a page without the token sees the sign-in form and cannot use the API', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const signIn = await SignInPage.open(page, wizard.url);
    const status = await page.evaluate(async () => {
      const r = await fetch('/api/session');
      return { status: r.status, body: (await r.json()) as { errors: { code: string }[] } };
    });
    expect(status.status).toBe(401);
    expect(status.body.errors[0]?.code).toBe('AUTH_REQUIRED');
    await signIn.pasteToken('not-the-token');
    await expect(signIn.errorText().textContent()).resolves.toMatch(/not right/);
    await context.close();
  });

  it('pasting the whole link works too', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const signIn = await SignInPage.open(page, wizard.url);
    await signIn.pasteToken(wizard.signInUrl);
    await page.getByRole('heading', { name: 'Set up your HDS key servers' }).waitFor();
    await context.close();
  });

  it('stops cleanly on SIGINT within 2 seconds', async () => {
    const other = await startWizard();
    const { code, ms } = await other.stop('SIGINT');
    expect(code).toBe(0);
    expect(ms).toBeLessThan(2000);
    expect(other.output()).toMatch(
      /^Express server listening on port \d+\.\nhttp:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32,}\n/,
    );
  });
});
