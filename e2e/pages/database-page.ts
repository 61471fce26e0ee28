import type { Page } from 'playwright-core';

export interface DatabaseEntry {
  hosts: string[];
  name: string;
  username: string;
  password: string;
  tlsMode?:
    | 'Prefer TLS'
    | 'Require TLS'
    | 'Require TLS and verify certificate signer'
    | 'Require TLS and verify certificate signer and hostname';
  rootCaPem?: string;
}

/** Page 5: the key database's settings and the live test that Continue runs. */
export class DatabasePage {
  constructor(readonly page: Page) {}

  get heading() {
    return this.page.getByRole('heading', { name: 'Database', level: 1 });
  }

  /** Opens the page from the "Setup steps" navigation. */
  static async open(page: Page): Promise<DatabasePage> {
    await page
      .getByRole('navigation', { name: 'Setup steps' })
      .getByRole('button', { name: /^Database/ })
      .click();
    const db = new DatabasePage(page);
    await db.heading.waitFor();
    return db;
  }

  async fill(entry: DatabaseEntry): Promise<void> {
    const { page } = this;
    await page.getByLabel('Host and port').fill(entry.hosts[0] ?? '');
    for (const [i, host] of entry.hosts.slice(1).entries()) {
      await page.getByRole('button', { name: 'Add a failover host' }).click();
      await page.getByLabel(`Failover host ${i + 2}`).fill(host);
    }
    await page.getByLabel('Database name').fill(entry.name);
    await page.getByLabel('Username').fill(entry.username);
    await page.getByLabel('Password').fill(entry.password);
    await page.getByLabel('TLS mode').selectOption({ label: entry.tlsMode ?? 'Prefer TLS' });
    if (entry.rootCaPem)
      await page.getByLabel('Database root CA (PEM)').setInputFiles({
        name: 'db-root.pem',
        mimeType: 'application/x-pem-file',
        buffer: Buffer.from(entry.rootCaPem),
      });
  }

  async setPassword(password: string): Promise<void> {
    await this.page.getByLabel('Password').fill(password);
  }

  /** Continue runs the live test; on success the wizard moves on to the next page. */
  async continue(): Promise<void> {
    await this.page.getByRole('button', { name: 'Continue' }).click();
  }

  /** The failure summary on top ("The live test failed"). */
  failure() {
    return this.page.getByRole('alert').filter({ hasText: 'The live test failed' });
  }

  /** The input's accessible description (hint and error, through aria-describedby), once it is marked invalid. */
  async errorBeside(label: string): Promise<string> {
    const input = this.page.getByLabel(label, { exact: true });
    await this.page.waitForFunction(
      (el) => el?.getAttribute('aria-invalid') === 'true',
      await input.elementHandle(),
    );
    return input.evaluate((el) =>
      (el.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .map((id) => document.getElementById(id)?.textContent ?? '')
        .join(' '),
    );
  }

  async ignoreAndContinue(): Promise<void> {
    await this.page.getByRole('button', { name: 'Ignore and continue' }).click();
  }

  /** The outcome of the accepted section, shown when the admin comes back to the page. */
  outcome(title: 'Live test passed' | 'Accepted without a passing live test') {
    return this.page.getByText(title);
  }
}
