import type { Page } from 'playwright-core';

export class CertificatePage {
  constructor(readonly page: Page) {}

  /** Opens the page from the "Setup steps" navigation. */
  static async open(page: Page): Promise<CertificatePage> {
    await page
      .getByRole('navigation', { name: 'Setup steps' })
      .getByRole('button', { name: /Certificate/ })
      .click();
    await page.getByRole('heading', { name: 'Certificate', exact: true }).waitFor();
    // An earlier journey in the same wizard may have accepted a certificate already.
    const replace = page.getByRole('button', { name: 'Replace certificate' });
    await replace.or(page.getByText('How do you want to provide the certificate?')).first().waitFor();
    if (await replace.isVisible()) await replace.click();
    return new CertificatePage(page);
  }

  /** Uploads a PKCS12 with its password, optionally with a private root and its acknowledgment. */
  async uploadPkcs12(p12: Buffer, password: string, privateRootPem?: string): Promise<void> {
    await this.page
      .getByLabel('PKCS12 file (.p12 or .pfx)')
      .setInputFiles({ name: 'kms.p12', mimeType: 'application/x-pkcs12', buffer: p12 });
    await this.page.getByLabel('PKCS12 password').fill(password);
    if (privateRootPem) await this.addPrivateRoot(privateRootPem);
    await this.page.getByRole('button', { name: 'Check certificate' }).click();
  }

  async addPrivateRoot(pem: string): Promise<void> {
    await this.openPrivateRoot();
    await this.page
      .getByLabel('Private root CA certificate (PEM)')
      .setInputFiles({ name: 'root.pem', mimeType: 'application/x-pem-file', buffer: Buffer.from(pem) });
    await this.page.getByLabel(/I understand this root is not publicly trusted/).check();
  }

  /** Opens the private-root section unless it is open already (after an import it may be, pre-filled). */
  async openPrivateRoot(): Promise<void> {
    const toggle = this.page.getByRole('button', { name: 'Use a private root CA (not publicly trusted)' });
    if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  }

  /** The root the previous ISO's chain ended at, as the private-root section offers it after an import. */
  get previousRoot() {
    return this.page.getByRole('region', { name: 'Private root CA from the previous ISO' });
  }

  get privateRootAcknowledgment() {
    return this.page.getByLabel(/I understand this root is not publicly trusted/);
  }

  /** Chooses "Create a key and CSR", creates them, and returns the CSR PEM shown on the page. */
  async createCsr(cn: string): Promise<string> {
    await this.page.getByLabel('Create a key and CSR').check();
    await this.page.getByLabel('Common name (CN)').fill(cn);
    await this.page.getByLabel('Key type').selectOption('ec-p256');
    await this.page.getByRole('button', { name: 'Create key and CSR' }).click();
    const csr = this.page.getByLabel('Certificate signing request (CSR)');
    await csr.waitFor();
    return csr.inputValue();
  }

  async completeCertificate(chainPem: string, privateRootPem: string): Promise<void> {
    await this.page.getByLabel('CA certificate chain (PEM)').fill(chainPem);
    await this.addPrivateRoot(privateRootPem);
    await this.page.getByRole('button', { name: 'Complete certificate' }).click();
  }

  get details() {
    return this.page.getByRole('region', { name: 'Certificate details' });
  }

  /** The input's accessible description: its hint and the error shown beside it (aria-describedby). */
  async fieldError(label: string | RegExp): Promise<string> {
    return this.page.getByLabel(label).evaluate((input) =>
      (input.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .map((id) => document.getElementById(id)?.textContent ?? '')
        .join(' '),
    );
  }

  /** The status line on top of an accepted certificate: accepted, or waiting for the acknowledgment. */
  get status() {
    return this.page.getByText(/^Certificate (accepted|needs your acknowledgment)$/).locator('xpath=..');
  }

  /** The summary of what went wrong (role alert), with one link per error that has a field. */
  get errorSummary() {
    return this.page.getByRole('alert').filter({ hasText: 'Please fix the following' });
  }

  /** The text of the element that has the keyboard focus, and its id (to compare with a field's). */
  async focused(): Promise<{ id: string; text: string; tag: string }> {
    return this.page.evaluate(() => {
      const el = document.activeElement;
      return { id: el?.id ?? '', text: el?.textContent ?? '', tag: el?.tagName ?? '' };
    });
  }

  async acknowledgeWarnings(): Promise<void> {
    await this.page.getByLabel('I have read these warnings and want to use this certificate').check();
  }

  continueButton() {
    return this.page.getByRole('button', { name: 'Continue', exact: true });
  }
}
