import type { Page } from 'playwright-core';
import { ReviewPage } from './review-page.js';

export type RotationChoice = 'Keep' | 'Soft reset' | 'Hard reset';

export interface AccountRow {
  name: string;
  issued: string;
  expires: string;
  status: string;
  previousValidUntil?: string;
}

/** Page 7: the kms, indexing and compliance machine accounts and their rotation. */
export class ServiceAccountsPage {
  constructor(readonly page: Page) {}

  get heading() {
    return this.page.getByRole('heading', { name: 'Service accounts', level: 1 });
  }

  static async reached(page: Page): Promise<ServiceAccountsPage> {
    const accounts = new ServiceAccountsPage(page);
    await accounts.heading.waitFor();
    await page.getByRole('table').first().waitFor();
    return accounts;
  }

  /** The rows of a table by its caption, e.g. "Service accounts in the imported ISO". */
  async accounts(caption: string | RegExp): Promise<AccountRow[]> {
    const table = this.page.getByRole('table', { name: caption });
    await table.waitFor();
    const header = (await table.getByRole('columnheader').allTextContents()).length;
    const rows = await table.getByRole('row').all();
    const result: AccountRow[] = [];
    for (const row of rows.slice(1)) {
      const cells = [
        ...(await row.getByRole('rowheader').allTextContents()),
        ...(await row.getByRole('cell').allTextContents()),
      ];
      const [name = '', issued = '', expires = '', status = '', previous] = cells;
      result.push({
        name,
        issued,
        expires,
        status,
        ...(header > 4 && previous !== undefined ? { previousValidUntil: previous } : {}),
      });
    }
    return result;
  }

  rotation(choice: RotationChoice) {
    return this.page.getByRole('radio', { name: choice, exact: true });
  }

  async choose(choice: RotationChoice): Promise<void> {
    await this.rotation(choice).check();
  }

  /** Saves the choice (a reset issues new secrets on the server) and moves on to the review. */
  async continue(): Promise<ReviewPage> {
    await this.page.getByRole('button', { name: 'Continue' }).click();
    return ReviewPage.reached(this.page);
  }

  /** Continue that must be refused: returns the alert's text. */
  async continueRefused(): Promise<string> {
    await this.page.getByRole('button', { name: 'Continue' }).click();
    const alert = this.page.getByRole('alert').first();
    await alert.waitFor();
    return (await alert.textContent()) ?? '';
  }
}
