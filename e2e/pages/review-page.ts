import { join } from 'node:path';
import type { Download, Page } from 'playwright-core';
import type { UploadFile } from './iso-import-page.js';

/** Page 8: every section, build, download, the backup acknowledgment and the backup check. */
export class ReviewPage {
  constructor(readonly page: Page) {}

  /** The download the last `build()` started, until `download()` saves it. */
  private started: Download | undefined;

  get heading() {
    return this.page.getByRole('heading', { name: 'Review & download', level: 1 });
  }

  static async reached(page: Page): Promise<ReviewPage> {
    const review = new ReviewPage(page);
    await review.heading.waitFor();
    await review.downloadButton.waitFor();
    return review;
  }

  /** Everything the page says (generation, sections, notes). */
  async text(): Promise<string> {
    return (await this.page.getByRole('main').textContent()) ?? '';
  }

  section(title: string) {
    return this.page.getByRole('region', { name: title, exact: true });
  }

  /** The rows of one section: setting → [value, change]. */
  async sectionRows(title: string): Promise<Record<string, { value: string; change: string }>> {
    const rows = await this.section(title).getByRole('row').all();
    const result: Record<string, { value: string; change: string }> = {};
    for (const row of rows.slice(1)) {
      const label = (await row.getByRole('rowheader').textContent()) ?? '';
      const [value = '', change = ''] = await row.getByRole('cell').allTextContents();
      result[label] = { value, change };
    }
    return result;
  }

  get downloadButton() {
    return this.page.getByRole('button', { name: 'Download ISO' });
  }

  /**
   * *Download ISO* (the first click builds the ISO): resolves once the download has started, or the
   * build was refused (an alert). The started download is kept for `download()`.
   */
  async build(): Promise<void> {
    const started = this.page
      .waitForEvent('download')
      .then((d) => {
        this.started = d;
      })
      .catch(() => undefined);
    await this.downloadButton.click();
    await Promise.race([
      started,
      this.page.getByRole('alert').filter({ hasText: 'The ISO could not be built' }).waitFor(),
    ]);
  }

  /** Saves the ISO in `dir` as a browser would (the download `build()` started, or a new one); returns its path. */
  async download(dir: string): Promise<string> {
    let download = this.started;
    this.started = undefined;
    if (!download)
      [download] = await Promise.all([this.page.waitForEvent('download'), this.downloadButton.click()]);
    const path = join(dir, download.suggestedFilename());
    await download.saveAs(path);
    return path;
  }

  /** The SHA-256 shown in the "back it up now" reminder. */
  async sha256(): Promise<string> {
    return this.page.getByLabel('SHA-256 of the ISO').inputValue();
  }

  /** Ticks "I have stored a copy" and confirms; resolves when the backup check is offered. */
  async acknowledgeBackup(): Promise<void> {
    await this.page.getByRole('checkbox', { name: /stored a copy of this ISO/ }).check();
    await this.page.getByRole('button', { name: 'Confirm backup' }).click();
    await this.page.getByRole('heading', { name: 'Verify your backup' }).waitFor();
  }

  /** Uploads the stored copy; returns whether it was confirmed identical and what the page said. */
  async verifyBackup(file: UploadFile): Promise<{ identical: boolean; message: string }> {
    await this.page.getByLabel('Stored copy of the ISO').setInputFiles(file);
    await this.page.getByRole('button', { name: 'Verify backup' }).click();
    const verdict = this.page
      .getByRole('status')
      .filter({ hasText: 'Backup verified' })
      .or(this.page.getByRole('alert'))
      .first();
    await verdict.waitFor();
    const message = (await verdict.textContent()) ?? '';
    return { identical: message.includes('Backup verified'), message };
  }

  /** The "Complete …" or "Change …" link of a section, which opens its page. */
  async openSection(title: string): Promise<void> {
    await this.section(title)
      .getByRole('button', { name: new RegExp(`^(Complete|Change) ${title}$`, 'i') })
      .click();
    await this.heading.waitFor({ state: 'detached' });
  }
}
