import type { Page } from 'playwright-core';
import { OverviewPage } from './overview-page.js';

export class SignInPage {
  constructor(readonly page: Page) {}

  /** Opens the printed link: the token is exchanged for a cookie and the Overview shows. */
  static async openLink(page: Page, signInUrl: string): Promise<OverviewPage> {
    await page.goto(signInUrl);
    const overview = new OverviewPage(page);
    await overview.heading.waitFor();
    return overview;
  }

  static async open(page: Page, origin: string): Promise<SignInPage> {
    await page.goto(origin);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    return new SignInPage(page);
  }

  async pasteToken(token: string): Promise<void> {
    await this.page.getByLabel('Sign-in link or token').fill(token);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
  }

  errorText() {
    return this.page.getByRole('alert').or(this.page.locator('.field-error')).first();
  }
}
