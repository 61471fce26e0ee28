import type { Page } from 'playwright-core';

/** Page 6, System logs: the syslog server's address, TLS, record termination, and a test message. */
export class SyslogPage {
  constructor(readonly page: Page) {}

  /** Opens the page from the "Setup steps" navigation. */
  static async open(page: Page): Promise<SyslogPage> {
    await page
      .getByRole('navigation', { name: 'Setup steps' })
      .getByRole('button', { name: /System logs/ })
      .click();
    const syslog = new SyslogPage(page);
    await syslog.heading.waitFor();
    return syslog;
  }

  get heading() {
    return this.page.getByRole('heading', { name: 'System logs' });
  }

  get url() {
    return this.page.getByLabel('Syslogd URL');
  }

  async fill(settings: {
    url: string;
    tls?: boolean;
    rootCa?: { name: string; pem: string };
    termination?: 'null' | 'newline';
  }): Promise<void> {
    await this.url.fill(settings.url);
    const tlsGroup = this.page.getByRole('group', { name: 'Is your server configured for TLS?' });
    await tlsGroup.getByRole('radio', { name: settings.tls ? 'Yes' : 'No' }).check();
    if (settings.rootCa)
      await this.page.getByLabel('Syslog server root CA certificate').setInputFiles({
        name: settings.rootCa.name,
        mimeType: 'application/x-pem-file',
        buffer: Buffer.from(settings.rootCa.pem),
      });
    const termination = this.page.getByRole('group', { name: 'Record termination' });
    await termination
      .getByRole('radio', { name: settings.termination === 'newline' ? /Newline/ : /Null byte/ })
      .check();
  }

  /** Sends the test message and waits for its outcome: the confirmation or the errors. */
  async sendTestMessage(): Promise<void> {
    await this.page.getByRole('button', { name: 'Send test message' }).click();
    await this.confirmation.or(this.errors).waitFor();
  }

  get confirmation() {
    return this.page.getByRole('status').filter({ hasText: /Test message (sent|delivered)/ });
  }

  get errors() {
    return this.page.getByRole('alert');
  }

  /** The message id the page tells the admin to look for. */
  async messageId(): Promise<string> {
    const text = (await this.confirmation.textContent()) ?? '';
    const id = /HDSTEST-[0-9A-F]{12}/.exec(text)?.[0];
    if (!id) throw new Error(`no message id in "${text}"`);
    return id;
  }

  async continue(): Promise<void> {
    await this.page.getByRole('button', { name: 'Continue' }).click();
  }
}
