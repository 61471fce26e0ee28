import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresServer, startPostgres } from '../../scripts/test-env/postgres-server.js';
import { createTestCa, issueServerCert, type TestCa } from '../../scripts/test-env/test-pki.js';
import {
  browserStorageDump,
  closeBrowser,
  launchBrowser,
  snapshot,
  startWizard,
  type WizardProcess,
} from '../fixtures.js';
import { DatabasePage } from '../pages/database-page.js';
import { SignInPage } from '../pages/sign-in-page.js';

const PASSWORD = 'E2e-owner-pass-6d1f0';
const WRONG = 'E2e-wrong-pass-91ab';

describe('Database page against a real PostgreSQL with TLS', () => {
  let wizard: WizardProcess;
  let browser: Browser;
  let server: PostgresServer;
  let ca: TestCa;
  let page: Page;

  beforeAll(async () => {
    ca = createTestCa('E2E DB Root');
    [server, wizard, browser] = await Promise.all([
      startPostgres({ tls: issueServerCert(ca, 'db', { dnsNames: ['localhost'] }) }),
      startWizard(),
      launchBrowser(),
    ]);
    await server.sql(`CREATE ROLE hds LOGIN PASSWORD '${PASSWORD}'`);
    await server.sql('CREATE DATABASE hds_keys OWNER hds');
    page = await browser.newPage();
    await SignInPage.openLink(page, await wizard.nextSignInUrl());
  });
  afterAll(async () => {
    await closeBrowser();
    await wizard?.stop();
    await server?.stop();
  });

  it('a wrong password shows DB_AUTH_FAILED beside the password field; Ignore and continue records it', async () => {
    const db = await DatabasePage.open(page);
    await db.fill({
      hosts: [`127.0.0.1:${server.port}`],
      name: 'hds_keys',
      username: 'hds',
      password: WRONG,
      tlsMode: 'Require TLS',
    });
    await db.continue();
    await db.failure().waitFor();
    expect(await db.failure().textContent()).toContain('DB_AUTH_FAILED');
    expect(await db.errorBeside('Password')).toMatch(/refused the login of "hds"/);

    await db.ignoreAndContinue();
    await db.heading.waitFor({ state: 'detached' });
    const back = await DatabasePage.open(page);
    await back.outcome('Accepted without a passing live test').waitFor();
    expect(await page.getByRole('main').textContent()).toContain('DB_AUTH_FAILED');
  });

  it('the right settings with verify-full and the uploaded root CA pass the live test', async () => {
    const db = await DatabasePage.open(page);
    await db.fill({
      hosts: [`localhost:${server.port}`],
      name: 'hds_keys',
      username: 'hds',
      password: PASSWORD,
      tlsMode: 'Require TLS and verify certificate signer and hostname',
      rootCaPem: ca.certPem,
    });
    await db.continue();
    await db.heading.waitFor({ state: 'detached' });
    const back = await DatabasePage.open(page);
    await back.outcome('Live test passed').waitFor();
    const main = (await page.getByRole('main').textContent()) ?? '';
    expect(main).toMatch(/PostgreSQL 15/);
    expect(main).toMatch(/TLSv1\.[23]/);
    expect(main).toContain('CN=localhost');
  });

  it("switching the type removes the errors the other type's rules or fields made; the password's stays", async () => {
    const db = await DatabasePage.open(page);
    await page.getByRole('radio', { name: 'Microsoft SQL Server' }).check();
    await page.getByRole('radio', { name: /^Windows/ }).check();
    await page.getByLabel('Host and port').fill('10.0.0.5:1433');
    await page.getByLabel('Database name').fill('master');
    await page.getByLabel('Username').fill('hds');
    await page.getByLabel('Kerberos KDC').fill('');
    await page.getByLabel('TLS mode').selectOption({ label: 'Require TLS' });
    await db.continue();
    const summary = page.getByRole('alert').filter({ hasText: 'Please fix the following' });
    await summary.getByText('DB_WINDOWS_AUTH_NEEDS_FQDN').waitFor();
    expect(await db.errorBeside('Database name')).toMatch(/every SQL Server instance has/);
    // No SPN is previewed for an IP address: Kerberos cannot use one (the field's error says so).
    expect(await page.getByText(/MSSQLSvc\//).count()).toBe(0);
    expect(await db.errorBeside('Username')).toMatch(/username@DOMAIN/);
    expect(await db.errorBeside('Kerberos KDC')).toMatch(/Kerberos KDC/);
    expect(await db.errorBeside('Password')).toMatch(/Enter the password/);
    await snapshot(page, 'database-sqlserver-errors');

    // PostgreSQL: no KDC field, "master" is an ordinary name, any host and username will do.
    await page.getByRole('radio', { name: 'PostgreSQL' }).check();
    expect(await page.getByLabel('Kerberos KDC').count()).toBe(0);
    const items = summary.getByRole('listitem');
    await expect.poll(() => items.allTextContents()).toEqual([expect.stringMatching(/Enter the password/)]);
    for (const label of ['Host and port', 'Database name', 'Username'])
      expect(await page.getByLabel(label, { exact: true }).getAttribute('aria-invalid'), label).not.toBe(
        'true',
      );
    expect(await db.errorBeside('Password')).toMatch(/Enter the password/);
    await snapshot(page, 'database-switched-to-postgresql');

    // And back: nothing of the SQL Server errors returns before the next Continue.
    await page.getByRole('radio', { name: 'Microsoft SQL Server' }).check();
    await expect.poll(() => items.allTextContents()).toEqual([expect.stringMatching(/Enter the password/)]);
  });

  it('no password reaches the browser storage or the server output', async () => {
    const stored = await browserStorageDump(page);
    for (const secret of [PASSWORD, WRONG]) {
      expect(stored).not.toContain(secret);
      expect(wizard.output()).not.toContain(secret);
    }
  });
});
