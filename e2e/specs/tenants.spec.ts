import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestPki } from '../../scripts/test-env/certificate-fixtures.js';
import { buildHeadlessDeployment } from '../../scripts/test-env/headless-deployment.js';
import { createTestDatabase, type TestDatabase } from '../../scripts/test-env/key-database.js';
import { type PostgresServer, startPostgres } from '../../scripts/test-env/postgres-server.js';
import { type RsyslogServer, startRsyslog } from '../../scripts/test-env/rsyslog-server.js';
import { readConfigIso } from '../../server/src/core/configIso/index.js';
import {
  browserStorageDump,
  closeBrowser,
  launchBrowser,
  snapshot,
  startWizard,
  type WizardProcess,
  watchPageProblems,
} from '../fixtures.js';
import { IsoImportPage } from '../pages/iso-import-page.js';
import { SignInPage } from '../pages/sign-in-page.js';
import { TenantsPage } from '../pages/tenants-page.js';

const XSS_NAME = '<img src=x onerror=alert(1)>';

/**
 * Issue 9's journey in real Chromium against the built server and a real PostgreSQL: import the
 * generation-1 ISO (its master key is bound to the database), open the Tenant CMK Management tab,
 * import 50 tenants, create all their CMKs with the progress bar, revoke one by typing its name.
 */
describe('Tenant CMK Management, end to end', () => {
  let wizard: WizardProcess;
  let browser: Browser;
  let postgres: PostgresServer;
  let syslog: RsyslogServer;
  let database: TestDatabase;
  let client: pg.Client;
  let pki: TestPki;
  let work: string;
  let isoPath: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'hds-tenants-e2e-'));
    [postgres, syslog] = await Promise.all([startPostgres(), startRsyslog()]);
    database = await createTestDatabase(postgres, 'hds_tenant_keys');
    client = await database.connect();
    pki = new TestPki('HDS Tenants Private Root CA');
    isoPath = buildHeadlessDeployment({
      dir: work,
      postgres,
      database,
      pki,
      cn: 'kms.tenants.example',
      p12Password: 'p12-Pass-9',
      syslogUrl: `UDP://127.0.0.1:${syslog.udpPort}`,
    }).isoPath;
    [wizard, browser] = await Promise.all([startWizard(), launchBrowser()]);
  });

  afterAll(async () => {
    await closeBrowser();
    await wizard?.stop();
    await client?.end().catch(() => undefined);
    await Promise.all([postgres?.stop(), syslog?.stop()]);
    if (work) rmSync(work, { recursive: true, force: true });
    pki?.cleanup();
  });

  it('imports the ISO, creates the CMKs of 50 tenants with live progress, revokes one by its typed name, restores one removed by mistake and revokes the removed ones in bulk', async () => {
    const page = await browser.newPage();
    // Menus and dialogs run under the strict CSP: no console error, no violation (Radix's style, zod's eval probe).
    const problems = await watchPageProblems(page);
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const overview = await SignInPage.openLink(page, await wizard.nextSignInUrl());
    await overview.getStarted();
    const isoImport = await IsoImportPage.reached(page);
    // No database yet: the tab is not offered.
    expect(await TenantsPage.tabIn(page).count()).toBe(0);
    await isoImport.importIso(isoPath);
    // The import brought a database: the tab is offered at once, before the admin leaves the page.
    await TenantsPage.tabIn(page).waitFor({ timeout: 5_000 });
    expect(await isoImport.heading.isVisible()).toBe(true);
    await isoImport.continue();

    const tenants = await TenantsPage.open(page);
    // A refused add marks each field beside it; the two inputs and the button stay on one line.
    const orgId = page.getByLabel('Org id', { exact: true });
    await orgId.fill('not-an-org-id');
    await page.getByRole('button', { name: 'Add tenant' }).click();
    await page.waitForFunction(
      (el) => el?.getAttribute('aria-invalid') === 'true',
      await orgId.elementHandle(),
    );
    const middles = await Promise.all(
      [
        orgId,
        page.getByLabel('Organisation name', { exact: true }),
        page.getByRole('button', { name: 'Add tenant' }),
      ].map(async (l) => {
        const box = (await l.boundingBox())!;
        return box.y + box.height / 2;
      }),
    );
    expect(Math.max(...middles) - Math.min(...middles), `middles at ${middles.join(', ')}`).toBeLessThan(3);
    await orgId.fill('');

    const bad = await tenants.importCsv({
      name: 'tenants-bad.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`org_id,name\n${randomUUID()},Fine Org\nnot-an-org-id,Broken Org\n`),
    });
    expect(bad).toMatch(/^Nothing from tenants-bad.csv was imported.*Line 3: An org id is a UUID/);

    const rows = Array.from({ length: 49 }, (_, i) => `${randomUUID()},Org ${String(i).padStart(2, '0')}`);
    const csv = ['org_id,name', ...rows, `${randomUUID()},"${XSS_NAME}"`].join('\n');
    expect(
      await tenants.importCsv({ name: 'tenants.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) }),
    ).toBe('Imported 50 tenants from tenants.csv.');
    await tenants.table.waitFor();
    expect(await tenants.names()).toHaveLength(50);
    // The hostile name is shown as text: no image element, no script ran.
    expect(await tenants.names()).toContain(XSS_NAME);
    expect(await tenants.table.getByRole('img').count()).toBe(0);
    expect(await tenants.statusOf(XSS_NAME)).toBe('CMK management pending');

    await tenants.createCmksForAll();
    expect(await tenants.bulkRunEnded('done')).toEqual({ value: 50, max: 50 });
    await tenants.row('Org 00').getByRole('cell', { name: 'CMK managed' }).waitFor();
    for (const name of ['Org 00', 'Org 48', XSS_NAME])
      expect(await tenants.statusOf(name)).toBe('CMK managed');
    const cmks = await client.query('SELECT count(*)::int AS n FROM hds_tenant_cmks');
    expect(cmks.rows[0].n).toBe(50);

    await tenants.markRemoved(XSS_NAME);
    expect(await tenants.revokeButtonEnabledFor(XSS_NAME, '<img src=x>')).toBe(false);
    expect(await tenants.revoke(XSS_NAME)).toMatch(/irreversible/);
    expect(await tenants.names()).toHaveLength(49);
    const revoked = await client.query(
      `SELECT t.status, (SELECT count(*)::int FROM hds_tenant_cmks c WHERE c.org_id = t.org_id) AS keys,
              (SELECT count(*)::int FROM hds_audit_log a WHERE a.org_id = t.org_id AND a.action = 'revoke-cmk') AS audits
       FROM hds_tenants t WHERE t.name = $1`,
      [XSS_NAME],
    );
    expect(revoked.rows).toEqual([{ status: 'revoked', keys: 0, audits: 1 }]);
    expect(await syslog.waitForMessage('CMK_REVOKE')).toMatch(/revoked the CMK of org/);

    // An add, then a refused add: the earlier "Added …" must not stay on screen beside the refusal.
    await orgId.fill(randomUUID());
    await page.getByLabel('Organisation name', { exact: true }).fill('Late Org');
    await page.getByRole('button', { name: 'Add tenant' }).click();
    await tenants.row('Late Org').waitFor();
    await page.getByText('Added Late Org.').waitFor();
    await orgId.fill('still-not-an-org-id');
    await page.getByRole('button', { name: 'Add tenant' }).click();
    await page.waitForFunction(
      (el) => el?.getAttribute('aria-invalid') === 'true',
      await orgId.elementHandle(),
    );
    expect(await page.getByText('Added Late Org.').count()).toBe(0);

    // Removed by mistake: the row menu offers Restore (no typed confirmation); the row is back as it
    // was, CMK managed, and the bulk revoke below no longer counts it.
    await tenants.markRemoved('Org 03');
    expect(await tenants.rowActions('Org 03')).toEqual(['Restore', 'Revoke CMK']);
    expect(await tenants.restore('Org 03')).toBe(
      'Org 03 is restored: CMK managed (key version 1, kept while it was removed).',
    );
    await tenants.row('Org 03').getByRole('cell', { name: 'CMK managed' }).waitFor();
    expect(await tenants.rowActions('Org 03')).toEqual(['Mark removed']);
    // Restored meanwhile elsewhere (another admin, the CLI): the refusal is shown, saying why.
    await tenants.markRemoved('Org 04');
    await client.query(`UPDATE hds_tenants SET status = 'active' WHERE name = 'Org 04'`);
    expect(await tenants.restore('Org 04')).toMatch(
      /Org 04 \(.*\) is not removed: it is listed as CMK managed\. Nothing to restore\./,
    );
    const restoredAudit = await client.query(
      `SELECT a.detail FROM hds_audit_log a JOIN hds_tenants t USING (org_id) WHERE a.action = 'restore-tenant' AND t.name = 'Org 03'`,
    );
    expect(restoredAudit.rows).toEqual([
      { detail: 'restored to the cluster; its CMK (key version 1) was kept' },
    ]);

    // Revoke all removed: the dialog lists who (name and org id) before the admin types `revoke 2`,
    // and the page behind the menu and the dialog is scroll-locked.
    for (const name of ['Org 01', 'Org 02']) await tenants.markRemoved(name);
    const { dialog, lockedByMenu } = await tenants.openRevokeAllRemoved(2);
    expect(lockedByMenu).toBe(true);
    expect(await tenants.pageScrollLocked()).toBe(true);
    const orgIdOf = (name: string) => rows.find((r) => r.endsWith(`,${name}`))!.split(',')[0]!;
    expect(await tenants.listedForRevoke(dialog)).toEqual([
      `Org 01 ${orgIdOf('Org 01')}`,
      `Org 02 ${orgIdOf('Org 02')}`,
    ]);
    await tenants.confirmRevokeAll(dialog, 2);
    expect(await tenants.pageScrollLocked()).toBe(false);
    for (const name of ['Org 01', 'Org 02']) await tenants.row(name).waitFor({ state: 'detached' });
    const bulk = await client.query(
      "SELECT count(*)::int AS n FROM hds_tenants WHERE name IN ('Org 01', 'Org 02') AND status = 'revoked'",
    );
    expect(bulk.rows[0].n).toBe(2);

    // A file over the limit is refused in the page, naming it, before it is sent.
    const huge = await tenants.importCsv({
      name: 'huge.csv',
      mimeType: 'text/csv',
      buffer: Buffer.alloc(8 * 1024 * 1024 + 1, 'a'),
    });
    expect(huge).toMatch(/huge\.csv is larger than 8 MB; split it/);

    // Added again after its CMK was revoked: the page says so plainly, with the date and the next key version.
    const today = new Date().toISOString().slice(0, 10);
    await tenants.importCsv({
      name: 'returning.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`org_id,name\n${orgIdOf('Org 01')},Org 01\n`),
    });
    const returning = page.getByRole('status').filter({ hasText: 'Added again after a revoked CMK' });
    expect(await returning.textContent()).toContain(
      `Org 01 (${orgIdOf('Org 01')}) had a CMK revoked on ${today} (key version 1); its new CMK will be key version 2.`,
    );
    expect(await tenants.statusOf('Org 01')).toBe('CMK management pending');
    await orgId.fill(orgIdOf('Org 02').toUpperCase());
    await page.getByLabel('Organisation name', { exact: true }).fill('Org 02');
    await page.getByRole('button', { name: 'Add tenant' }).click();
    await page.getByText('Added Org 02.').waitFor();
    expect(await returning.textContent()).toMatch(
      /Org 02 .*had a CMK revoked on .*its new CMK will be key version 2/,
    );

    // An org imported or added again under another name keeps its listed name, and the page says so.
    await tenants.importCsv({
      name: 'renamed.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`org_id,name\n${orgIdOf('Org 05')},Org 05 Renamed\n`),
    });
    const renamed = page.getByRole('status').filter({ hasText: 'Already listed under another name' });
    expect(await renamed.textContent()).toContain(
      `Org 05 Renamed (${orgIdOf('Org 05')}) is already listed as Org 05; its name was not changed.`,
    );
    expect(await tenants.statusOf('Org 05')).toBe('CMK managed');
    await orgId.fill(orgIdOf('Org 06'));
    await page.getByLabel('Organisation name', { exact: true }).fill('Org 06 Renamed');
    await page.getByRole('button', { name: 'Add tenant' }).click();
    await page
      .getByText(
        `The organisation ${orgIdOf('Org 06')} is already listed as Org 06; its name was not changed.`,
      )
      .waitFor();
    expect(await tenants.names()).not.toContain('Org 06 Renamed');

    expect(problems).toEqual([]);
    expect(dialogs).toEqual([]);
    const loaded = await readConfigIso(readFileSync(isoPath));
    const secrets = [
      loaded.masterKey.toString('base64'),
      loaded.masterKey.toString('hex'),
      database.password,
      'p12-Pass-9',
      ...loaded.serviceAccounts.map((a) => a.secret.toString()),
    ];
    const stored = await browserStorageDump(page);
    const html = await page.content();
    for (const secret of secrets) {
      expect(stored).not.toContain(secret);
      expect(html).not.toContain(secret);
      expect(wizard.output()).not.toContain(secret);
    }
    await page.close();
  });

  it('a 120-character name wraps at word boundaries beside the org id (1280 and 800 px); from 600 to 1280 px nothing spills out of its card and the page never scrolls sideways', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await SignInPage.openLink(page, await wizard.nextSignInUrl());
    const tenants = await TenantsPage.open(page);
    const longName =
      'Northwind Traders International Holdings and Consolidated Regional Subsidiaries for Hybrid Data Security Services Ltd Co';
    expect(longName).toHaveLength(120);
    const longWord = 'Supercalifragilisticexpialidocious'.repeat(3);
    await tenants.importCsv({
      name: 'long-names.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`org_id,name\n${randomUUID()},${longName}\n${randomUUID()},${longWord}\n`),
    });
    await tenants.row(longName).waitFor();
    const addForm = page.getByRole('form', { name: 'Add a tenant' });
    for (const [width, height] of [
      [1280, 800],
      [1000, 800],
      [800, 900],
      [600, 900],
    ] as const) {
      await page.setViewportSize({ width, height });
      await snapshot(page, `tenants-${width}`);
      const at = `at ${width}x${height}`;
      if (width === 1280 || width === 800) {
        const layout = await nameLayout(tenants.row(longName));
        const where = `${at}: ${JSON.stringify(layout)}`;
        expect(layout.wordsSplit, where).toEqual([]);
        expect(layout.nameWidth, where).toBeGreaterThan(200);
        expect(layout.overflowingCells, where).toBe(0);
        // The org id keeps one line while there is room for it.
        if (width === 1280) expect(layout.orgIdLines, where).toBe(1);
        // A word too long for the column is broken inside it rather than widening the table.
        expect((await nameLayout(tenants.row(longWord))).overflowingCells, where).toBe(0);
      }
      // The "Add a tenant" card holds its fields and its button (they stack when narrow).
      expect(await spillsOutOf(addForm), at).toEqual([]);
      const scroll = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
        beyondRightEdge: [...document.querySelectorAll('button, input, label, table, .card, .callout')]
          .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
          .map((e) => e.textContent?.trim().slice(0, 30) || e.tagName),
      }));
      expect(scroll, at).toMatchObject({ beyondRightEdge: [] });
      expect(scroll.scrollWidth, `${at}: ${JSON.stringify(scroll)}`).toBeLessThanOrEqual(scroll.clientWidth);
    }
    await page.close();
  });
});

/** The labels, inputs and buttons of `container` that stick out of its padding box (by more than half a pixel). */
async function spillsOutOf(container: Locator) {
  return container.evaluate((box) => {
    const outer = box.getBoundingClientRect();
    return [...box.querySelectorAll('button, input, label')]
      .filter((e) => {
        const r = e.getBoundingClientRect();
        return r.width > 1 && (r.left < outer.left - 0.5 || r.right > outer.right + 0.5);
      })
      .map((e) => e.textContent?.trim() || e.tagName);
  });
}

/**
 * How a tenant row is laid out: the name's words split over two lines (none, if it wraps at word
 * boundaries), the name column's width, the org id's line count, and cells whose content spills out.
 */
async function nameLayout(row: Locator) {
  return row.evaluate((tr) => {
    const name = tr.querySelector('th')!;
    const text = name.firstChild!;
    const wordsSplit: string[] = [];
    for (const match of (text.textContent ?? '').matchAll(/\S+/g)) {
      const range = document.createRange();
      range.setStart(text, match.index);
      range.setEnd(text, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      if (tops.size > 1 && match[0].length < 40) wordsSplit.push(match[0]);
    }
    const code = tr.querySelector('code')!;
    const lineHeight = Number.parseFloat(getComputedStyle(code).lineHeight);
    return {
      wordsSplit,
      nameWidth: Math.round(name.getBoundingClientRect().width),
      orgIdLines: Math.round(code.getBoundingClientRect().height / lineHeight),
      overflowingCells: [...tr.children].filter((cell) => cell.scrollWidth > cell.clientWidth).length,
    };
  });
}
