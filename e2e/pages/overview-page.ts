import type { Page } from 'playwright-core';

export class OverviewPage {
  constructor(readonly page: Page) {}

  get heading() {
    return this.page.getByRole('heading', { name: 'Set up your HDS key servers' });
  }

  /** Get Started: leaves the Overview for the next page in the wizard. */
  async getStarted(): Promise<void> {
    await this.page.getByRole('button', { name: 'Get Started' }).click();
  }
}
