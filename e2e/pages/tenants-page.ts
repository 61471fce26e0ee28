import type { Locator, Page } from 'playwright-core';
import type { UploadFile } from './iso-import-page.js';

/** The Tenant CMK Management tab (PRODUCT.md page 9): tenants, their CMKs, bulk runs and revoking. */
export class TenantsPage {
  constructor(readonly page: Page) {}

  get heading() {
    return this.page.getByRole('heading', { name: 'Tenant CMK Management', level: 1 });
  }

  /** The tab (role tab, beside "Setup wizard"): only there once a key database is configured. */
  static tabIn(page: Page): Locator {
    return page.getByRole('tab', { name: 'Tenant CMK Management' });
  }

  /** Opens the tab from the side bar and waits for it to show. */
  static async open(page: Page): Promise<TenantsPage> {
    await TenantsPage.tabIn(page).click();
    const tenants = new TenantsPage(page);
    await tenants.heading.waitFor();
    return tenants;
  }

  get table() {
    return this.page.getByRole('table', { name: 'Tenant organisations' });
  }

  /** Imports a tenant CSV (org_id,name); returns the page's account of it, or its refusal. */
  async importCsv(file: UploadFile): Promise<string> {
    await this.page.getByLabel('Import CSV', { exact: true }).setInputFiles(file);
    const name = typeof file === 'string' ? (file.split('/').pop() ?? file) : file.name;
    const outcome = this.page
      .getByRole('status')
      .or(this.page.getByRole('alert'))
      .filter({ hasText: name })
      .first();
    await outcome.waitFor();
    return (await outcome.textContent()) ?? '';
  }

  /** The banner's *Create CMKs for all*; resolves once the progress bar shows. */
  async createCmksForAll(): Promise<void> {
    await this.page.getByRole('button', { name: 'Create CMKs for all' }).click();
    await this.progress.first().waitFor();
  }

  /** The bulk run's progress bar, named by its status line (done / failed / remaining). */
  get progress() {
    return this.page.getByRole('progressbar', { name: /CMKs/ });
  }

  /** Waits for the bulk run to end in `state`; returns where its bar stands (aria-valuenow of max). */
  async bulkRunEnded(state: 'done' | 'cancelled' | 'failed'): Promise<{ value: number; max: number }> {
    const ended = this.page.getByRole('progressbar', { name: new RegExp(`CMKs: ${state} `) });
    await ended.waitFor();
    return {
      value: Number(await ended.getAttribute('aria-valuenow')),
      max: Number(await ended.getAttribute('aria-valuemax')),
    };
  }

  /**
   * The page's warnings that audit lines did not reach syslog (the change stands): after an add,
   * import, remove, restore or revoke, and in a bulk run's progress.
   */
  get syslogWarnings(): Locator {
    return this.page.getByRole('status').filter({ hasText: 'did not reach syslog' });
  }

  /** Adds one organisation with the *Add a tenant* form; resolves once its row shows. */
  async add(orgId: string, name: string): Promise<void> {
    await this.page.getByLabel('Org id', { exact: true }).fill(orgId);
    await this.page.getByLabel('Organisation name', { exact: true }).fill(name);
    await this.page.getByRole('button', { name: 'Add tenant' }).click();
    await this.row(name).waitFor();
  }

  /** The table row of an organisation, found by its name in the row header. */
  row(name: string): Locator {
    return this.table
      .getByRole('row')
      .filter({ has: this.page.getByRole('rowheader', { name, exact: true }) });
  }

  /** The status shown for an organisation, e.g. "CMK managed". */
  async statusOf(name: string): Promise<string> {
    return ((await this.row(name).getByRole('cell').nth(1).textContent()) ?? '').trim();
  }

  /** The organisations listed, as shown in the first column. */
  async names(): Promise<string[]> {
    return this.table.getByRole('rowheader').allTextContents();
  }

  private async rowAction(name: string, action: string): Promise<void> {
    await this.page.getByRole('button', { name: `Actions for ${name}`, exact: true }).click();
    await this.page.getByRole('menuitem', { name: action }).click();
  }

  /** The row menu's *Mark removed*; resolves once the row says so. */
  async markRemoved(name: string): Promise<void> {
    await this.rowAction(name, 'Mark removed');
    await this.row(name)
      .getByRole('cell', { name: /Removed — revocation pending/ })
      .waitFor();
  }

  /**
   * The row menu's *Restore* (the undo of *Mark removed*; no confirmation). Resolves with the page's
   * answer: its notice, or its refusal.
   */
  async restore(name: string): Promise<string> {
    await this.rowAction(name, 'Restore');
    const answer = this.page
      .getByRole('status')
      .filter({ hasText: 'is restored' })
      .or(this.page.getByRole('alert'))
      .first();
    await answer.waitFor();
    return ((await answer.textContent()) ?? '').trim();
  }

  /** The row menu's items for an organisation, in order (the menu is closed again). */
  async rowActions(name: string): Promise<string[]> {
    await this.page.getByRole('button', { name: `Actions for ${name}`, exact: true }).click();
    const items = await this.page.getByRole('menuitem').allTextContents();
    await this.page.keyboard.press('Escape');
    await this.page.getByRole('menu').waitFor({ state: 'detached' });
    return items;
  }

  /**
   * The row menu's *Revoke CMK*: the dialog asks for the org's name typed exactly. Returns the
   * dialog's description (what it warns about) once the tenant has left the list.
   */
  async revoke(name: string, typed = name): Promise<string> {
    await this.rowAction(name, 'Revoke CMK');
    const dialog = this.page.getByRole('dialog', { name: `Revoke the CMK of ${name}?` });
    await dialog.waitFor();
    const warning = (await dialog.getByRole('paragraph').first().textContent()) ?? '';
    await dialog.getByLabel(`Type ${name} to confirm`).fill(typed);
    await dialog.getByRole('button', { name: 'Revoke for good' }).click();
    await dialog.waitFor({ state: 'detached' });
    await this.row(name).waitFor({ state: 'detached' });
    return warning;
  }

  /** Opens the revoke dialog and reports whether its button stays disabled for what was typed. */
  async revokeButtonEnabledFor(name: string, typed: string): Promise<boolean> {
    await this.rowAction(name, 'Revoke CMK');
    const dialog = this.page.getByRole('dialog', { name: `Revoke the CMK of ${name}?` });
    await dialog.getByLabel(`Type ${name} to confirm`).fill(typed);
    const enabled = await dialog.getByRole('button', { name: 'Revoke for good' }).isEnabled();
    await dialog.getByRole('button', { name: 'Keep the key' }).click();
    await dialog.waitFor({ state: 'detached' });
    return enabled;
  }

  /** Whether the page behind an open menu or dialog is scroll-locked (Radix's injected style). */
  async pageScrollLocked(): Promise<boolean> {
    return this.page.evaluate(() => getComputedStyle(document.body).overflow === 'hidden');
  }

  /**
   * Opens the *Manage CMKs* menu and picks *Revoke CMKs of all removed (n)*. Returns the dialog and
   * whether the page was scroll-locked while the menu was open.
   */
  async openRevokeAllRemoved(count: number): Promise<{ dialog: Locator; lockedByMenu: boolean }> {
    await this.page.getByRole('button', { name: 'Manage CMKs' }).click();
    const item = this.page.getByRole('menuitem', { name: `Revoke CMKs of all removed (${count})` });
    await item.waitFor();
    const lockedByMenu = await this.pageScrollLocked();
    await item.click();
    const dialog = this.page.getByRole('dialog', {
      name: `Revoke the CMKs of all ${count} removed tenants?`,
    });
    await dialog.waitFor();
    return { dialog, lockedByMenu };
  }

  /** The tenants the bulk-revoke dialog lists, each as "name org-id". */
  async listedForRevoke(dialog: Locator): Promise<string[]> {
    const items = await dialog
      .getByRole('region', { name: 'Tenants to revoke' })
      .getByRole('listitem')
      .allTextContents();
    return items.map((t) => t.replace(/\s+/g, ' ').trim());
  }

  /** Types `revoke <n>` in the bulk-revoke dialog and waits for the run to finish. */
  async confirmRevokeAll(dialog: Locator, count: number): Promise<void> {
    await dialog.getByLabel(`Type revoke ${count} to confirm`).fill(`revoke ${count}`);
    await dialog.getByRole('button', { name: 'Revoke for good' }).click();
    await dialog.waitFor({ state: 'detached' });
    await this.page
      .getByRole('progressbar', { name: new RegExp(`^Revoking CMKs: done — ${count} done`) })
      .waitFor();
  }
}
