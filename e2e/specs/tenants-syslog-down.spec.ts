import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestPki } from '../../scripts/test-env/certificate-fixtures.js';
import { buildHeadlessDeployment } from '../../scripts/test-env/headless-deployment.js';
import { createTestDatabase, type TestDatabase } from '../../scripts/test-env/key-database.js';
import { freePort, type PostgresServer, startPostgres } from '../../scripts/test-env/postgres-server.js';
import {
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

/**
 * The ISO's syslog server is a TCP port nothing listens on: every tenant change still commits (the
 * key database's audit log has it), and the Tenant CMK Management tab says, after each action, that
 * its audit lines did not reach syslog — beside the tenants shown as the change left them.
 */
describe('Tenant CMK Management while the syslog server is down', () => {
  let wizard: WizardProcess;
  let browser: Browser;
  let postgres: PostgresServer;
  let database: TestDatabase;
  let client: pg.Client;
  let pki: TestPki;
  let work: string;
  let isoPath: string;
  let syslogUrl: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'hds-tenants-syslog-down-e2e-'));
    postgres = await startPostgres();
    database = await createTestDatabase(postgres, 'hds_syslog_down_keys');
    client = await database.connect();
    pki = new TestPki('HDS Syslog Down Private Root CA');
    syslogUrl = `tcp://127.0.0.1:${await freePort()}`;
    isoPath = buildHeadlessDeployment({ dir: work, postgres, database, pki, syslogUrl }).isoPath;
    [wizard, browser] = await Promise.all([startWizard(), launchBrowser()]);
  });

  afterAll(async () => {
    await closeBrowser();
    await wizard?.stop();
    await client?.end().catch(() => undefined);
    await postgres?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
    pki?.cleanup();
  });

  it('adds a tenant and creates the CMKs of all: each shows as done, with a warning naming the syslog URL, the count and SYSLOG_UNREACHABLE', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = await watchPageProblems(page);
    const overview = await SignInPage.openLink(page, await wizard.nextSignInUrl());
    await overview.getStarted();
    const isoImport = await IsoImportPage.reached(page);
    await isoImport.importIso(isoPath);
    await isoImport.continue();
    const tenants = await TenantsPage.open(page);
    expect(await tenants.syslogWarnings.count()).toBe(0);

    const orgId = randomUUID();
    await tenants.add(orgId, 'Quiet Syslog Org');
    await page.getByText('Added Quiet Syslog Org.').waitFor();
    const url = syslogUrl.replaceAll('.', '\\.');
    const notSent = (lines: number) =>
      expect.stringMatching(
        new RegExp(
          `^The ${lines === 1 ? 'change is' : 'changes are'} saved and recorded in the key database's audit log, but ${lines} audit lines? did not reach syslog at ${url}: 127\\.0\\.0\\.1:\\d+.* refused the connection.* Check the System logs page\\. SYSLOG_UNREACHABLE$`,
        ),
      );
    await tenants.syslogWarnings.first().waitFor();
    expect(await tenants.syslogWarnings.allTextContents()).toEqual([
      expect.stringMatching(/^Audit lines not sent to syslog/),
    ]);
    expect(await warningMessages()).toEqual([notSent(1)]);

    const csv = ['org_id,name', ...[1, 2, 3].map((i) => `${randomUUID()},Quiet Org ${i}`)].join('\n');
    expect(
      await tenants.importCsv({ name: 'quiet.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) }),
    ).toBe('Imported 3 tenants from quiet.csv.');
    expect(await warningMessages()).toEqual([notSent(3)]);

    await tenants.createCmksForAll();
    expect(await tenants.bulkRunEnded('done')).toEqual({ value: 4, max: 4 });
    for (const name of ['Quiet Syslog Org', 'Quiet Org 1', 'Quiet Org 3'])
      await tenants.row(name).getByRole('cell', { name: 'CMK managed' }).waitFor();
    // One warning for the run, counted: the page shows it while the tenants show managed.
    expect(await warningMessages()).toEqual([notSent(4)]);
    expect(await tenants.syslogWarnings.isVisible()).toBe(true);
    expect(await tenants.statusOf('Quiet Syslog Org')).toBe('CMK managed');
    const cmks = await client.query('SELECT count(*)::int AS n FROM hds_tenant_cmks');
    expect(cmks.rows[0].n).toBe(4);
    // The warning names no org: its name and id stay in the table.
    const said = (await tenants.syslogWarnings.allTextContents()).join('\n');
    expect(said).not.toContain('Quiet');
    expect(said).not.toContain(orgId);
    await snapshot(page, 'tenants-syslog-down');

    // Not blocking: the page works on. The next action says its own; the run's stays with its progress.
    await tenants.markRemoved('Quiet Org 2');
    expect(await warningMessages()).toEqual([notSent(1), notSent(4)]);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();

    /** Each warning's message with its code, as shown (the title left out). */
    async function warningMessages(): Promise<string[]> {
      const items = tenants.syslogWarnings.getByRole('listitem');
      return (await items.allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    }
  });
});
