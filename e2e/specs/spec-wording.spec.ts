import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Download, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestPki } from '../../scripts/test-env/certificate-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../scripts/test-env/key-database.js';
import { type PostgresServer, startPostgres } from '../../scripts/test-env/postgres-server.js';
import {
  closeBrowser,
  launchBrowser,
  startWizard,
  type WizardProcess,
  watchPageProblems,
} from '../fixtures.js';
import { ReviewPage } from '../pages/review-page.js';
import { SignInPage } from '../pages/sign-in-page.js';

/**
 * The wizard driven only by the words of PRODUCT.md ("The wizard, page by page") and the issues:
 * a tester who has read the spec, not the page, finds every control by its role and those words.
 */
describe("the wizard, found by the spec's own words", () => {
  let wizard: WizardProcess;
  let browser: Browser;
  let postgres: PostgresServer;
  let database: TestDatabase;
  let pki: TestPki;
  let work: string;
  /** The ISO the Review test downloaded (generation 1 of a deployment on the test database). */
  let gen1Iso: string | undefined;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'hds-spec-wording-'));
    pki = new TestPki('Spec Wording Private Root CA');
    [postgres, wizard, browser] = await Promise.all([startPostgres(), startWizard(), launchBrowser()]);
    database = await createTestDatabase(postgres, 'hds_spec_words');
  });

  afterAll(async () => {
    await closeBrowser();
    await wizard?.stop();
    await postgres?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  /** A new browser context signed in to `into` (the suite's wizard unless told), on the Overview. */
  async function signedIn(into: WizardProcess = wizard): Promise<{ page: Page; problems: string[] }> {
    const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
    const problems = await watchPageProblems(page);
    await SignInPage.openLink(page, await into.nextSignInUrl());
    return { page, problems };
  }

  const heading = (page: Page, name: string) => page.getByRole('heading', { name, level: 1 });

  /** A page opened from the step list by the words of its title; resolves once its heading shows. */
  async function openStep(page: Page, title: string): Promise<void> {
    await page
      .getByRole('navigation', { name: 'Setup steps' })
      .getByRole('button', { name: new RegExp(title) })
      .click();
    await heading(page, title).waitFor();
  }

  /** The Database page's fields for the test database, with `password` (right or wrong). */
  async function fillTestDatabase(page: Page, password: string): Promise<void> {
    await page.getByLabel('Host and port').fill(`127.0.0.1:${postgres.port}`);
    await page.getByLabel('Database name').fill(database.name);
    await page.getByLabel('Username').fill(database.user);
    await page.getByLabel('Password').fill(password);
  }

  /** An earlier test's certificate may be in the session: *Replace certificate* if it shows before `ready`. */
  async function replaceCertificateIfShown(page: Page, ready: Locator): Promise<void> {
    const replace = page.getByRole('button', { name: 'Replace certificate' });
    await replace.or(ready).first().waitFor();
    if (await replace.isVisible()) await replace.click();
  }

  /** With the private root section open: the test PKI's root uploaded and ticked as not publicly trusted. */
  async function givePrivateRoot(page: Page): Promise<void> {
    await page.getByLabel('Private root CA certificate (PEM)').setInputFiles({
      name: 'root.pem',
      mimeType: 'application/x-pem-file',
      buffer: Buffer.from(pki.rootPem),
    });
    await page.getByLabel(/not publicly trusted/).check();
  }

  /** Clicks *Download ISO*; resolves with the download it started. */
  async function downloadIso(page: Page): Promise<Download> {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download ISO' }).click(),
    ]);
    return download;
  }

  /** What an input's aria-describedby points to (its hint and error), as assistive technology reads it. */
  const description = (input: Locator) =>
    input.evaluate((el) =>
      (el.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .map((id) => document.getElementById(id)?.textContent ?? '')
        .join(' '),
    );

  const hasFocus = (element: Locator) => element.evaluate((el) => el === document.activeElement);

  /** Overview → ISO import "No" → Certificate → Database → System logs → Service accounts → Review. */
  async function newDeploymentToReview(page: Page): Promise<void> {
    await page.getByRole('button', { name: 'Get Started' }).click();
    await page.getByRole('radio', { name: 'No' }).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    // A session that holds a deployment (an earlier test's) asks before starting another.
    const discard = page.getByRole('button', { name: 'Discard and start a new deployment' });
    await discard.or(heading(page, 'Certificate')).first().waitFor();
    if (await discard.isVisible()) await discard.click();

    await heading(page, 'Certificate').waitFor();
    const leaf = pki.issueLeaf({ cn: 'kms.spec-words.example' });
    await page.getByLabel('PKCS12 file (.p12 or .pfx)').setInputFiles({
      name: 'kms.p12',
      mimeType: 'application/x-pkcs12',
      buffer: pki.pkcs12(leaf, 'p12-pass'),
    });
    await page.getByLabel('Password').fill('p12-pass');
    await page.getByText('Use a private root CA (not publicly trusted)').click();
    await givePrivateRoot(page);
    await page.getByRole('button', { name: 'Check certificate' }).click();
    await page.getByLabel('I have read these warnings and want to use this certificate').check();
    await page.getByRole('button', { name: 'Continue' }).click();

    await heading(page, 'Database').waitFor();
    await fillTestDatabase(page, database.password);
    await page.getByRole('button', { name: 'Continue' }).click();

    await heading(page, 'System logs').waitFor();
    await page.getByLabel('Syslogd URL').fill('udp://127.0.0.1:514');
    await page.getByRole('button', { name: 'Continue' }).click();

    await heading(page, 'Service accounts').waitFor();
    await page.getByRole('button', { name: 'Continue' }).click();
    await heading(page, 'Review & download').waitFor();
  }

  it('Sign in, then the Overview: its heading names it, *Get Started* leads to the ISO import question', async () => {
    const { page, problems } = await signedIn();
    await heading(page, 'Overview').waitFor();
    expect(new URL(page.url()).search).toBe('');
    await page.getByRole('button', { name: 'Get Started' }).click();
    await page.getByRole('group', { name: 'Do you have a configuration ISO from an earlier run?' }).waitFor();
    expect(problems).toEqual([]);
  });

  it('Review & download: the *Download ISO* button saves the ISO, then the reminder shows its SHA-256', async () => {
    const { page, problems } = await signedIn();
    await newDeploymentToReview(page);

    const download = await downloadIso(page);
    expect(download.suggestedFilename()).toBe('hds-config-kms.spec-words.example-gen1.iso');
    const saved = join(work, download.suggestedFilename());
    await download.saveAs(saved);
    gen1Iso = saved;
    const sha256 = createHash('sha256').update(readFileSync(saved)).digest('hex');

    await page.getByRole('heading', { name: 'Back up the ISO now' }).waitFor();
    expect(await page.getByLabel('SHA-256 of the ISO').inputValue()).toBe(sha256);
    // The reminder takes the focus, so the keyboard carries on to the acknowledgment.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Back up the ISO now');

    // Downloading again gives the same file: the ISO is built once, not per click.
    const again = await downloadIso(page);
    const second = join(work, 'second.iso');
    await again.saveAs(second);
    expect(createHash('sha256').update(readFileSync(second)).digest('hex')).toBe(sha256);

    await new ReviewPage(page).acknowledgeBackup();
    expect(problems).toEqual([]);
  });

  it('Database: after a failed live test, the corrected password goes through *Continue* (no second Continue button)', async () => {
    const { page } = await signedIn();
    await openStep(page, 'Database');
    await fillTestDatabase(page, 'not-the-password');
    await page.getByRole('button', { name: 'Continue' }).click();

    const summary = page.getByRole('alert').filter({ hasText: 'DB_AUTH_FAILED' });
    await summary.waitFor();
    // Beside its field too, and the summary has the focus.
    const password = page.getByLabel('Password');
    expect(await password.getAttribute('aria-invalid')).toBe('true');
    expect(await description(password)).toMatch(/refused the login/);
    expect(await hasFocus(summary)).toBe(true);
    // The failure may be kept as it is ("Ignore and continue") — for exactly the settings tested.
    await page.getByRole('button', { name: 'Ignore and continue' }).waitFor();

    await password.fill(database.password);
    expect(await page.getByRole('button', { name: 'Ignore and continue' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Continue' }).click();
    await heading(page, 'System logs').waitFor();
  });

  it('Advanced settings and the private root CA open from buttons; an error inside a closed section opens it', async () => {
    const { page } = await signedIn();
    await openStep(page, 'Certificate');
    const privateRoot = page.getByRole('button', { name: 'Use a private root CA (not publicly trusted)' });
    await replaceCertificateIfShown(page, privateRoot);
    expect(await privateRoot.getAttribute('aria-expanded')).toBe('false');
    // The keyboard opens it like any button.
    await privateRoot.focus();
    await page.keyboard.press('Enter');
    expect(await privateRoot.getAttribute('aria-expanded')).toBe('true');
    await page.getByLabel('Private root CA certificate (PEM)').waitFor();

    await openStep(page, 'Database');
    const advanced = page.getByRole('button', { name: 'Advanced settings' });
    expect(await advanced.getAttribute('aria-expanded')).toBe('false');
    await advanced.click();
    const poolSize = page.getByLabel('app_datasource_connection_pool_maxSize');
    expect(await poolSize.inputValue()).toBe('10');
    expect(await page.getByLabel('Connection timeout').inputValue()).toBe('10');
    await poolSize.fill('0');
    await advanced.click();
    expect(await poolSize.isVisible()).toBe(false);

    await fillTestDatabase(page, database.password);
    await page.getByRole('button', { name: 'Continue' }).click();
    const summary = page.getByRole('alert');
    await summary.getByRole('link', { name: /pool/i }).click();
    // The summary's link opened the section and put the keyboard on the field in error.
    expect(await advanced.getAttribute('aria-expanded')).toBe('true');
    expect(await hasFocus(poolSize)).toBe(true);
    expect(await poolSize.getAttribute('aria-invalid')).toBe('true');
  });

  it('ISO import: *Yes*, then the file field named "Configuration ISO"; a file that is no ISO is refused beside it', async () => {
    const { page } = await signedIn();
    await openStep(page, 'ISO import');
    await page
      .getByRole('group', { name: 'Do you have a configuration ISO from an earlier run?' })
      .getByRole('radio', { name: 'Yes' })
      .check();
    const field = page.getByLabel('Configuration ISO');
    await field.setInputFiles({
      name: 'notes.iso',
      mimeType: 'application/octet-stream',
      buffer: Buffer.alloc(70_000, 7),
    });
    await page.getByRole('button', { name: 'Import ISO' }).click();
    const summary = page.getByRole('alert').filter({ hasText: 'ISO_INVALID' });
    await summary.waitFor();
    expect(await hasFocus(summary)).toBe(true);
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await description(field)).toMatch(/not an ISO/i);
  });

  it("the step list's buttons are named by the pages' titles (their hints describe them)", async () => {
    const { page } = await signedIn();
    const steps = page.getByRole('navigation', { name: 'Setup steps' });
    for (const title of [
      'Overview',
      'ISO import',
      'Certificate',
      'Database',
      'System logs',
      'Service accounts',
    ])
      await steps.getByRole('button', { name: new RegExp(`^${title}( \\(done\\))?$`) }).waitFor();
    await steps.getByRole('button', { name: /^Review & download( \(done\))?$/ }).click();
    await heading(page, 'Review & download').waitFor();
    const certificate = steps.getByRole('button', { name: /^Certificate/ });
    expect(
      await certificate.evaluate(
        (b) => document.getElementById(b.getAttribute('aria-describedby') ?? '')?.textContent,
      ),
    ).toBe('TLS certificate of the nodes');
    // A page's own "No" is not shadowed by a step hint ("of the nodes").
    expect(await page.getByRole('button', { name: 'No' }).count()).toBe(0);
  });

  it('Tenant CMK Management: import CSV, *Create CMKs for all*, then revoke one by typing its name', async () => {
    const { page, problems } = await signedIn();
    // PRODUCT.md page 9: "Tenant CMK management (tab, once a database is configured)".
    const tab = page.getByRole('tab', { name: 'Tenant CMK management' });
    // Asked of the server, as the shell does: counting tabs straight after sign-in raced the shell's
    // own availability request (0 tabs on a loaded machine, then the wrong branch).
    const { databaseConfigured } = await page.evaluate(async () =>
      (await fetch('/api/tenants/availability', { credentials: 'same-origin' })).json(),
    );
    if (databaseConfigured) await tab.waitFor();
    else {
      // The tab comes with a configured key database: a deployment bound to it first.
      await newDeploymentToReview(page);
      await downloadIso(page);
      await new ReviewPage(page).acknowledgeBackup();
    }
    const left = await page.getByRole('heading', { level: 1 }).textContent();
    await tab.click();
    await heading(page, 'Tenant CMK Management').waitFor();
    expect(await tab.getAttribute('aria-selected')).toBe('true');
    expect(await page.getByRole('tabpanel', { name: 'Tenant CMK Management' }).count()).toBe(1);

    // "add one": the org id and name fields, each found by the spec's one word.
    await page.getByLabel('Org id').fill('0b7e8f6a-1c2d-4e3f-8a9b-0c1d2e3f4a03');
    await page.getByLabel('Name').fill('Initech');
    await page.getByRole('button', { name: 'Add tenant' }).click();
    await page.getByRole('rowheader', { name: 'Initech', exact: true }).waitFor();
    const orgs = ['0b7e8f6a-1c2d-4e3f-8a9b-0c1d2e3f4a01', '0b7e8f6a-1c2d-4e3f-8a9b-0c1d2e3f4a02'];
    const csv = `org_id,name\n${orgs[0]},"Acme, Inc."\n${orgs[1]},Globex\n`;
    await page
      .getByLabel('Import CSV')
      .setInputFiles({ name: 'tenants.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('status').filter({ hasText: 'Imported 2 tenants' }).waitFor();
    const table = page.getByRole('table', { name: 'Tenant organisations' });
    const row = (name: string) =>
      table.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
    await row('Acme, Inc.').getByText('CMK management pending').waitFor();

    await page.getByRole('button', { name: 'Create CMKs for all' }).click();
    await page.getByRole('progressbar').first().waitFor();
    await row('Acme, Inc.').getByText('CMK managed').waitFor();
    await row('Globex').getByText('CMK managed').waitFor();

    // Revoking is two steps of the row menu: the tenant is marked removed, then its CMK revoked.
    await page.getByRole('button', { name: 'Actions for Acme, Inc.' }).click();
    await page.getByRole('menuitem', { name: 'Mark removed' }).click();
    await row('Acme, Inc.').getByText('Removed — revocation pending').waitFor();
    await page.getByRole('button', { name: 'Actions for Acme, Inc.' }).click();
    await page.getByRole('menuitem', { name: 'Revoke CMK' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox').fill('Acme, Inc.');
    await dialog.getByRole('button', { name: 'Revoke for good' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row('Acme, Inc.').waitFor({ state: 'detached' });
    // The menu that opened the dialog left with its row: the focus lands on the outcome, not on the page body.
    const outcome = page.getByRole('status').filter({ hasText: 'The CMK of Acme, Inc. is revoked.' });
    await outcome.waitFor();
    expect(await hasFocus(outcome)).toBe(true);
    expect(await row('Globex').getByText('CMK managed').count()).toBe(1);

    // The other tab leads back into the wizard, on the page the admin left for the tenants.
    await page.getByRole('tab', { name: 'Setup wizard' }).click();
    await heading(page, left ?? '').waitFor();
    expect(problems).toEqual([]);
  });

  it("Certificate: the CSR's reply can be uploaded as files (PEM and a DER .cer) instead of pasted", async () => {
    const { page } = await signedIn();
    await openStep(page, 'Certificate');
    const choose = page.getByRole('radio', { name: 'Create a key and CSR' });
    await replaceCertificateIfShown(page, choose);
    await choose.check();
    await page.getByLabel('Common name (CN)').fill('kms-csr.spec-words.example');
    await page.getByLabel('Key type').selectOption({ label: 'EC P-256' });
    await page.getByRole('button', { name: 'Create key and CSR' }).click();
    const csr = await page.getByLabel('Certificate signing request (CSR)').inputValue();
    const leaf = pki.signCsr(csr, ['kms-csr.spec-words.example']).certPem;

    await page
      .getByLabel("Upload the CA's PEM chain")
      .setInputFiles({ name: 'kms.pem', mimeType: 'application/x-pem-file', buffer: Buffer.from(leaf) });
    await expect
      .poll(() => page.getByLabel('CA certificate chain (PEM)').inputValue())
      .toMatch(/BEGIN CERTIFICATE/);
    // The intermediate as the binary .cer many CAs send.
    const der = Buffer.from(pki.intermediatePem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    await page
      .getByLabel("Upload the CA's PEM chain")
      .setInputFiles({ name: 'issuing-ca.cer', mimeType: 'application/pkix-cert', buffer: der });
    // The files are read as they are chosen: both certificates end up in the chain text.
    const certificatesInChain = async () =>
      (
        (await page.getByLabel('CA certificate chain (PEM)').inputValue()).match(
          /-----BEGIN CERTIFICATE-----/g,
        ) ?? []
      ).length;
    await expect.poll(certificatesInChain).toBe(2);

    await page.getByRole('button', { name: 'Use a private root CA (not publicly trusted)' }).click();
    await givePrivateRoot(page);
    await page.getByRole('button', { name: 'Complete certificate' }).click();
    const details = page.getByRole('region', { name: 'Certificate details' });
    await details.waitFor();
    expect(await details.textContent()).toContain('kms-csr.spec-words.example');
  });

  it('Database, SQL Server with Windows authentication: Username (username@DOMAIN), KDC, the SPN shown; an IP is refused beside the host', async () => {
    const { page } = await signedIn();
    await openStep(page, 'Database');
    await page.getByRole('radio', { name: 'Microsoft SQL Server' }).check();
    await page.getByRole('radio', { name: 'Windows' }).check();
    await page.getByLabel('Host and port').fill('sql01.corp.example.com:1433');
    await page.getByLabel('Database name').fill('hds_keys');
    await page.getByLabel('Username').fill('hdsuser@CORP.EXAMPLE.COM');
    await page.getByLabel('Password').fill('a-password');
    await page.getByLabel('KDC').fill('dc01.corp.example.com');
    await page.getByText('MSSQLSvc/sql01.corp.example.com:1433').waitFor();

    await page.getByLabel('Host and port').fill('10.0.0.5:1433');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('alert').filter({ hasText: 'DB_WINDOWS_AUTH_NEEDS_FQDN' }).waitFor();
    expect(await page.getByLabel('Host and port').getAttribute('aria-invalid')).toBe('true');
  });

  it('an ISO import keeps its summary on screen when the Tenant CMK Management tab appears with it', async () => {
    expect(gen1Iso, 'the Review test downloaded an ISO').toBeDefined();
    // A wizard with no database yet, so the tab is not there before the import.
    const fresh = await startWizard();
    const { page, problems } = await signedIn(fresh);
    expect(await page.getByRole('tab', { name: 'Tenant CMK management' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Get Started' }).click();
    await page.getByRole('radio', { name: 'Yes' }).check();
    await page.getByLabel('Configuration ISO').setInputFiles(gen1Iso!);
    const question = await page
      .getByRole('group', { name: /Do you have a configuration ISO/ })
      .elementHandle();
    await page.getByRole('button', { name: 'Import ISO' }).click();
    const summary = page.getByRole('region', { name: 'What the imported ISO holds' });
    await summary.waitFor();
    // The imported database brings the tab; the page beside it stays as it was. It used to be
    // remounted (new elements), so the summary went blank for a moment while the page loaded again.
    await page.getByRole('tab', { name: 'Tenant CMK management' }).waitFor();
    expect(await question!.evaluate((el) => el.isConnected)).toBe(true);
    expect(await summary.isVisible()).toBe(true);
    expect(await page.getByRole('status').filter({ hasText: 'ISO verified' }).isVisible()).toBe(true);
    expect(problems).toEqual([]);
    await page.context().close();
    await fresh.stop();
  });
});
