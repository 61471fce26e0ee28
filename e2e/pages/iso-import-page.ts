import type { Page } from 'playwright-core';

/** A file for setInputFiles: a path on disk, or bytes made in the test. */
export type UploadFile = string | { name: string; mimeType: string; buffer: Buffer };

/** Page 3: "Do you have a configuration ISO from an earlier run?" */
export class IsoImportPage {
  constructor(readonly page: Page) {}

  get heading() {
    return this.page.getByRole('heading', { name: 'ISO import', level: 1 });
  }

  /** Waits until the wizard shows this page (after the Overview's Get Started). */
  static async reached(page: Page): Promise<IsoImportPage> {
    const isoImport = new IsoImportPage(page);
    await isoImport.heading.waitFor();
    return isoImport;
  }

  /** "No": a new deployment with a new master key; the wizard moves on to the next page. */
  async startNewDeployment(): Promise<void> {
    await this.page.getByRole('radio', { name: 'start a new deployment' }).check();
    await this.page.getByRole('button', { name: 'Continue' }).click();
    await this.heading.waitFor({ state: 'detached' });
  }

  /**
   * "No" while the session holds a deployment (imported or built): the page asks first; confirms with
   * "Discard and start a new deployment" and returns the question it showed.
   */
  async discardAndStartNewDeployment(): Promise<string> {
    await this.page.getByRole('radio', { name: 'start a new deployment' }).check();
    await this.page.getByRole('button', { name: 'Continue' }).click();
    const question = this.page.getByText('Discard the deployment this session holds?').locator('xpath=..');
    await question.waitFor();
    const text = (await question.textContent()) ?? '';
    await this.page.getByRole('button', { name: 'Discard and start a new deployment' }).click();
    await this.heading.waitFor({ state: 'detached' });
    return text;
  }

  /** "Yes": uploads the ISO; resolves once it is verified (the summary shows) or refused (an alert). */
  async upload(file: UploadFile): Promise<void> {
    await this.page.getByRole('radio', { name: 'import the latest ISO' }).check();
    await this.page.getByLabel('Configuration ISO', { exact: true }).setInputFiles(file);
    // An earlier import's summary may still be on screen: wait for this upload's answer first.
    const answered = this.page.waitForResponse((r) => r.url().endsWith('/api/deployment/import'));
    await this.page.getByRole('button', { name: 'Import ISO' }).click();
    await answered;
    await this.summary.or(this.page.getByRole('alert')).first().waitFor();
  }

  /** Uploads an ISO that must be accepted and returns what the summary shows. */
  async importIso(file: UploadFile): Promise<string> {
    await this.upload(file);
    if (!(await this.summary.isVisible()))
      throw new Error(`the ISO was refused: ${await this.page.getByRole('alert').first().textContent()}`);
    return (await this.summary.textContent()) ?? '';
  }

  /** Uploads a file that must be refused and returns the refusal shown (code and message). */
  async importRefused(file: UploadFile): Promise<string> {
    await this.upload(file);
    const alert = this.page.getByRole('alert').first();
    await alert.waitFor();
    return (await alert.textContent()) ?? '';
  }

  /** The description tied to the file input (its errors, through aria-describedby). */
  async fileInputDescription(): Promise<string> {
    return this.page.getByLabel('Configuration ISO', { exact: true }).evaluate((input) =>
      (input.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .map((id) => document.getElementById(id)?.textContent ?? '')
        .join(' '),
    );
  }

  /** Shown after importing a copy re-packed without its file modes (7-Zip, genisoimage -r). */
  get modesLostWarning() {
    return this.page.getByRole('status').filter({ hasText: 'This copy has lost its file modes' });
  }

  get summary() {
    return this.page.getByRole('region', { name: 'What the imported ISO holds' });
  }

  /** After a successful import: on to the next page. */
  async continue(): Promise<void> {
    await this.page.getByRole('button', { name: 'Continue' }).click();
    await this.heading.waitFor({ state: 'detached' });
  }
}
