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

  /** Every link this spec signed in with, to check afterwards that a second use is refused. */
  const used: string[] = [];

  it('opens the printed link, reaches the Overview, and drops the token from the address bar', async () => {
    const page = await browser.newPage();
    // Everything the page loads (scripts, styles) exists: no 4xx outside the API.
    const missing: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400 && !new URL(r.url()).pathname.startsWith('/api/'))
        missing.push(`${r.status()} ${r.url()}`);
    });
    const link = wizard.signInUrl;
    const overview = await SignInPage.openLink(page, link);
    used.push(link);
    await expect(overview.heading.isVisible()).resolves.toBe(true);
    await page.waitForLoadState('networkidle');
    expect(missing).toEqual([]);
    // It declares its icon, so the browser does not ask for /favicon.ico (a 404 in the console).
    expect(await page.locator('link[rel="icon"]').getAttribute('href')).toBe('/favicon.svg');
    expect(page.url()).not.toContain('token=');
    const token = new URL(link).searchParams.get('token')!;
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

  it('pasting the whole link works too (the next link, printed after the first sign-in)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const signIn = await SignInPage.open(page, wizard.url);
    const link = await wizard.nextSignInUrl();
    await signIn.pasteToken(link);
    used.push(link);
    await page.getByRole('heading', { name: 'Set up your HDS key servers' }).waitFor();
    await context.close();
  });

  it('a used link shows that it was used, where the new link is, and to stop the tool if it was not you', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(used[0]!);
    const signIn = new SignInPage(page);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const message = await signIn.errorText().textContent();
    expect(message).toMatch(/already used/);
    expect(message).toMatch(/new sign-in link is printed in the terminal where hds-setup runs/);
    expect(message).toMatch(/docker logs/);
    expect(message).toMatch(/did not use it, stop the tool with Ctrl\+C/);
    expect(page.url()).not.toContain('token=');
    // Pasted, a used token gets the same answer; the API says SIGN_IN_TOKEN_USED.
    await signIn.pasteToken(new URL(used[1]!).searchParams.get('token')!);
    await expect(signIn.errorText().textContent()).resolves.toMatch(/already used/);
    const code = await page.evaluate(async (token) => {
      const r = await fetch('/api/session', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'x-hds-client': 'web' },
        body: JSON.stringify({ token }),
      });
      return ((await r.json()) as { errors: { code: string }[] }).errors[0]?.code;
    }, new URL(used[0]!).searchParams.get('token'));
    expect(code).toBe('SIGN_IN_TOKEN_USED');
    await context.close();
  });

  it('the link printed after the last sign-in works once, also in a browser that is still signed in', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const first = await wizard.nextSignInUrl();
    await SignInPage.openLink(page, first);
    const second = await wizard.nextSignInUrl();
    expect(second).not.toBe(first);
    await SignInPage.openLink(page, second);
    used.push(first, second);
    // The first link opened a session this browser no longer holds (the second replaced its cookie).
    await page.goto(first);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await expect(new SignInPage(page).errorText().textContent()).resolves.toMatch(/already used/);
    await context.close();
  });

  it('a used link reopened in the browser it signed in continues into the wizard; another browser is refused', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const link = await wizard.nextSignInUrl();
    await SignInPage.openLink(page, link);
    used.push(link);
    const session = (await context.cookies()).map((c) => c.value);
    const printed = linkLines(wizard.output()).length;
    // Reopened from the terminal or the browser history: straight back in, with the same session.
    const overview = await SignInPage.openLink(page, link);
    await expect(overview.heading.isVisible()).resolves.toBe(true);
    await expect(page.getByRole('heading', { name: 'Sign in' }).count()).resolves.toBe(0);
    expect(page.url()).not.toContain('token=');
    expect((await context.cookies()).map((c) => c.value)).toEqual(session);
    expect(linkLines(wizard.output())).toHaveLength(printed);
    // The link is still used up: a second browser opening it gets the refusal.
    const other = await browser.newContext();
    const otherPage = await other.newPage();
    await otherPage.goto(link);
    await otherPage.getByRole('heading', { name: 'Sign in' }).waitFor();
    await expect(new SignInPage(otherPage).errorText().textContent()).resolves.toMatch(/already used/);
    expect(await other.cookies()).toEqual([]);
    await other.close();
    await context.close();
  });

  it('prints a token only on its own link line: never in a log line, an error or a request line', async () => {
    const output = wizard.output();
    const lines = output.split('\n');
    const links = linkLines(output);
    // One link per sign-in, plus the one still unused.
    expect(links).toHaveLength(used.length + 1);
    expect(lines.slice(0, 2).join('\n')).toMatch(/^Express server listening on port \d+\.\nhttp:/);
    for (const link of links) {
      const token = new URL(link).searchParams.get('token')!;
      expect(lines.filter((line) => line.includes(token))).toEqual([link]);
    }
    // The refusals were logged, by code only.
    expect(output).toMatch(/"code":"SIGN_IN_TOKEN_USED"/);
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

/** The sign-in links the wizard printed, each alone on its line. */
function linkLines(output: string): string[] {
  return output.split('\n').filter((line) => /^http:\/\/\S+\?token=/.test(line));
}
