import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestPki } from '../../scripts/test-env/certificate-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../scripts/test-env/key-database.js';
import { type PostgresServer, startPostgres } from '../../scripts/test-env/postgres-server.js';
import {
  browserStorageDump,
  closeBrowser,
  launchBrowser,
  snapshot,
  startWizard,
  type WizardProcess,
} from '../fixtures.js';
import { extractIso, inspectIso, rockRidgeModes, sha256File, summaryOf } from '../iso-inspection.js';
import { CertificatePage } from '../pages/certificate-page.js';
import { DatabasePage } from '../pages/database-page.js';
import { IsoImportPage } from '../pages/iso-import-page.js';
import { ReviewPage } from '../pages/review-page.js';
import { ServiceAccountsPage } from '../pages/service-accounts-page.js';
import { SignInPage } from '../pages/sign-in-page.js';
import { SyslogPage } from '../pages/syslog-page.js';

/**
 * Issue 8's journeys in real Chromium against the built server, a real PostgreSQL and certificates
 * made with OpenSSL: the ISO is downloaded as an admin would, then read back with hds-setup
 * inspect, bsdtar and isoinfo — and re-imported to make generation 2.
 */
describe('the configuration ISO, end to end', () => {
  let wizard: WizardProcess;
  let browser: Browser;
  let postgres: PostgresServer;
  let database: TestDatabase;
  let work: string;
  /** Every secret the journeys handle, by name: none may show up in the browser or the server's output. */
  const secrets = new Map<string, string>();
  let gen1: { iso: string; dir: string } | undefined;
  let pki: TestPki;
  const CN = 'kms.hds-journey.example';

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'hds-config-iso-e2e-'));
    postgres = await startPostgres();
    database = await createTestDatabase(postgres, 'hds_keys');
    secrets.set('database password', database.password);
    pki = new TestPki('HDS Journey Private Root CA');
    wizard = await startWizard();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await closeBrowser();
    await wizard?.stop();
    await postgres?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  async function signedIn(): Promise<Page> {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    // Each test signs in afresh: each printed link signs in once.
    const overview = await SignInPage.openLink(page, await wizard.nextSignInUrl());
    await overview.getStarted();
    return page;
  }

  /** The secrets written into an extracted ISO, added to the list the leak checks look for. */
  function rememberIsoSecrets(dir: string, label: string): void {
    const masterKey = readFileSync(join(dir, 'hds/secrets/master-key'), 'utf8').trim();
    secrets.set(`${label} master key`, masterKey);
    secrets.set(`${label} master key (hex)`, Buffer.from(masterKey, 'base64').toString('hex'));
    for (const file of readdirSync(join(dir, 'hds/secrets/service-accounts')))
      secrets.set(
        `${label} ${file}`,
        readFileSync(join(dir, 'hds/secrets/service-accounts', file), 'utf8').trim(),
      );
  }

  async function expectNoSecretLeaked(page: Page): Promise<void> {
    const stored = await browserStorageDump(page);
    const output = wizard.output();
    for (const [name, value] of secrets) {
      expect(stored.includes(value), `${name} found in browser storage`).toBe(false);
      expect(output.includes(value), `${name} found in the server's output`).toBe(false);
    }
    const cookies = await page.context().cookies();
    expect(cookies.map((c) => c.name)).toEqual(['hds_session']);
  }

  /** Files in `dir` (relative paths) with their sizes and SHA-256, as the manifest lists them. */
  function filesIn(dir: string): { path: string; size: number; sha256: string }[] {
    const out: { path: string; size: number; sha256: string }[] = [];
    const walk = (d: string) => {
      for (const name of readdirSync(d)) {
        const full = join(d, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (relative(dir, full) !== 'hds/manifest.json')
          out.push({ path: relative(dir, full), size: statSync(full).size, sha256: sha256File(full) });
      }
    };
    walk(dir);
    return out.sort((a, b) => a.path.localeCompare(b.path));
  }

  /** A PKCS12 for `cn` from the private test CA, with its password and private key remembered as secrets. */
  function certificateFor(cn: string, label: string): { p12: Buffer; password: string } {
    const leaf = pki.issueLeaf({ cn });
    const password = `p12-${createHash('sha256').update(label).digest('hex').slice(0, 16)}`;
    secrets.set(`${label} PKCS12 password`, password);
    // The PEM's second line is key material (the first is a header shared by every P-256 key).
    const body = leaf.keyPem.split('\n').filter((line) => line && !line.startsWith('-----'));
    secrets.set(`${label} private key`, body.join(''));
    secrets.set(`${label} private key (PEM line)`, body[1]!);
    return { p12: pki.pkcs12(leaf, password, { chain: ['intermediate', 'root'] }), password };
  }

  /** Uploads the PKCS12 with the private test root acknowledged, accepts its warnings, and moves on. */
  async function acceptCertificate(cert: CertificatePage, certificate: { p12: Buffer; password: string }) {
    await cert.uploadPkcs12(certificate.p12, certificate.password, pki.rootPem);
    await cert.details.waitFor();
    await cert.acknowledgeWarnings();
    await cert.continueButton().click();
    await cert.page.getByRole('heading', { name: 'Certificate', level: 1 }).waitFor({ state: 'detached' });
  }

  /** After an import the page first offers the previous certificate: answer "No, use a new certificate". */
  async function replaceImportedCertificate(page: Page): Promise<CertificatePage> {
    await page
      .getByRole('navigation', { name: 'Setup steps' })
      .getByRole('button', { name: /Certificate/ })
      .click();
    await page.getByRole('button', { name: 'No, use a new certificate' }).click();
    return new CertificatePage(page);
  }

  async function fillDatabase(page: Page): Promise<void> {
    const db = await DatabasePage.open(page);
    await db.fill({
      hosts: [`127.0.0.1:${postgres.port}`],
      name: database.name,
      username: database.user,
      password: database.password,
    });
    await db.continue();
    await db.heading.waitFor({ state: 'detached' });
  }

  async function fillSyslog(page: Page): Promise<void> {
    const syslog = await SyslogPage.open(page);
    await syslog.fill({ url: 'udp://127.0.0.1:5514', tls: false, termination: 'newline' });
    await syslog.continue();
    await syslog.heading.waitFor({ state: 'detached' });
  }

  async function openServiceAccounts(page: Page): Promise<ServiceAccountsPage> {
    await page
      .getByRole('navigation', { name: 'Setup steps' })
      .getByRole('button', { name: /Service accounts/ })
      .click();
    return ServiceAccountsPage.reached(page);
  }

  it('(1) a new deployment: every page, download, then inspect and extract the ISO', async () => {
    const page = await signedIn();
    const isoImport = await IsoImportPage.reached(page);
    await isoImport.startNewDeployment();
    await acceptCertificate(await CertificatePage.open(page), certificateFor(CN, 'generation 1'));
    await fillDatabase(page);
    await fillSyslog(page);

    const accounts = await openServiceAccounts(page);
    const rows = await accounts.accounts('New service accounts for this deployment');
    expect(rows.map((r) => r.name)).toEqual(['kms', 'indexing', 'compliance']);
    for (const row of rows) {
      const months =
        (new Date(row.expires).getUTCFullYear() - new Date(row.issued).getUTCFullYear()) * 12 +
        new Date(row.expires).getUTCMonth() -
        new Date(row.issued).getUTCMonth();
      expect(months).toBe(9);
    }
    const review = await accounts.continue();
    const newText = await review.text();
    expect(newText).toContain('generation 1');
    // Nothing was imported: no "since the imported ISO" column; a passed live test is a plain fact.
    expect(newText).not.toContain('Since the imported ISO');
    expect(newText).toMatch(/Live test passed: PostgreSQL/);

    await review.build();
    const iso = await review.download(work);
    expect(iso).toMatch(/hds-config-.+-gen1\.iso$/);
    expect(await review.sha256()).toBe(sha256File(iso));
    await review.acknowledgeBackup();
    const verdict = await review.verifyBackup(iso);
    await snapshot(page, 'review-generation-1');
    expect(verdict.identical).toBe(true);
    // After a reload the step list still shows every page done: its ticks come from the server.
    await page.reload();
    await ReviewPage.reached(page);
    const ticked = page
      .getByRole('navigation', { name: 'Setup steps' })
      .getByRole('button', { name: /\(done\)$/ });
    await expect.poll(() => ticked.count()).toBe(7);

    const inspected = inspectIso(iso);
    expect(inspected.exitCode).toBe(0);
    const summary = summaryOf(inspected);
    expect(summary.generation).toBe(1);
    expect(summary.previousManifestSha256).toBeNull();

    const dir = join(work, 'gen1');
    extractIso(iso, dir);
    const manifest = JSON.parse(readFileSync(join(dir, 'hds/manifest.json'), 'utf8')) as {
      files: { path: string; size: number; mode: number; sha256: string }[];
    };
    expect(filesIn(dir)).toEqual(
      manifest.files
        .map(({ path, size, sha256 }) => ({ path, size, sha256 }))
        .sort((a, b) => a.path.localeCompare(b.path)),
    );
    const modes = rockRidgeModes(iso);
    for (const file of manifest.files) {
      expect(modes.get(file.path), file.path).toBe(file.mode);
      if (file.path.startsWith('hds/secrets/')) expect(modes.get(file.path), file.path).toBe(0o400);
    }
    expect(modes.get('hds/secrets/master-key')).toBe(0o400);

    rememberIsoSecrets(dir, 'generation 1');
    gen1 = { iso, dir };
    await expectNoSecretLeaked(page);
    await page.context().close();
  });

  it('(2) re-import, soft reset, a new certificate with the same CN: generation 2 continues the lineage', async () => {
    expect(gen1, 'journey 1 made generation 1').toBeDefined();
    const page = await signedIn();
    const isoImport = await IsoImportPage.reached(page);
    const summary = await isoImport.importIso(gen1!.iso);
    expect(summary).toContain(CN);
    expect(summary).toMatch(/Generation\s*1/);
    expect(summary).toContain('generation 2');
    await isoImport.continue();

    await acceptCertificate(await replaceImportedCertificate(page), certificateFor(CN, 'generation 2'));
    const db = await DatabasePage.open(page);
    await db.continue();
    await db.heading.waitFor({ state: 'detached' });
    const syslog = await SyslogPage.open(page);
    await syslog.continue();
    await syslog.heading.waitFor({ state: 'detached' });

    const accounts = await openServiceAccounts(page);
    const gen1Summary = summaryOf(inspectIso(gen1!.iso));
    const imported = await accounts.accounts('Service accounts in the imported ISO');
    expect(imported.map((a) => [a.name, a.expires])).toEqual(
      gen1Summary.serviceAccounts.map((a) => [a.name, a.expiresAt.slice(0, 10)]),
    );
    expect(await accounts.rotation('Keep').isEnabled()).toBe(true);
    await accounts.choose('Soft reset');
    const review = await accounts.continue();
    const text = await review.text();
    expect(text).toContain('generation 2');
    expect(text).toContain('replacing generation 1');
    expect(Object.values(await review.sectionRows('Certificate')).map((r) => r.change)).toContain('changed');

    await review.build();
    const iso = await review.download(work);
    expect(iso).toMatch(/-gen2\.iso$/);
    await review.acknowledgeBackup();
    // The backup check says exactly how a wrong copy differs.
    const older = await review.verifyBackup(gen1!.iso);
    expect(older.identical).toBe(false);
    expect(older.message).toMatch(/generation 1/);
    const truncated = await review.verifyBackup({
      name: 'copy.iso',
      mimeType: 'application/octet-stream',
      buffer: readFileSync(iso).subarray(0, 4096),
    });
    expect(truncated.message).toMatch(/truncated/);
    expect((await review.verifyBackup(iso)).identical).toBe(true);
    await snapshot(page, 'review-generation-2');

    const inspected = inspectIso(iso);
    expect(inspected.exitCode).toBe(0);
    expect(summaryOf(inspected).generation).toBe(2);
    const dir = join(work, 'gen2');
    extractIso(iso, dir);
    const manifest = JSON.parse(readFileSync(join(dir, 'hds/manifest.json'), 'utf8')) as {
      generation: number;
      previousManifestSha256: string;
    };
    expect(manifest.generation).toBe(2);
    expect(manifest.previousManifestSha256).toBe(sha256File(join(gen1!.dir, 'hds/manifest.json')));
    expect(sha256File(join(dir, 'hds/secrets/master-key')), 'the master key is carried over').toBe(
      sha256File(join(gen1!.dir, 'hds/secrets/master-key')),
    );

    const config = JSON.parse(readFileSync(join(dir, 'hds/config.json'), 'utf8')) as {
      serviceAccounts: {
        name: string;
        secretFile: string;
        previous?: { secretFile: string; validUntil: string };
      }[];
    };
    const tenDays = Date.now() + 10 * 24 * 3600 * 1000;
    for (const account of config.serviceAccounts) {
      // Compared by SHA-256 so a failure never prints a secret.
      const previous = sha256File(join(dir, 'hds', account.previous!.secretFile));
      const old = sha256File(join(gen1!.dir, `hds/secrets/service-accounts/${account.name}.secret`));
      expect(previous, `${account.name}: the previous secret is generation 1's`).toBe(old);
      expect(sha256File(join(dir, 'hds', account.secretFile)), `${account.name}: a new secret`).not.toBe(old);
      expect(Math.abs(new Date(account.previous!.validUntil).getTime() - tenDays)).toBeLessThan(
        5 * 60 * 1000,
      );
    }
    const modes = rockRidgeModes(iso);
    expect(modes.get('hds/secrets/service-accounts/kms.previous.secret')).toBe(0o400);

    rememberIsoSecrets(dir, 'generation 2');
    await expectNoSecretLeaked(page);
    await page.context().close();
  });

  it('(3) a certificate with another CN is refused after an import', async () => {
    const page = await signedIn();
    const isoImport = await IsoImportPage.reached(page);
    await isoImport.importIso(gen1!.iso);
    await isoImport.continue();
    const cert = await replaceImportedCertificate(page);
    const other = certificateFor('other.hds-journey.example', 'other CN');
    await cert.uploadPkcs12(other.p12, other.password, pki.rootPem);
    const alert = page.getByRole('alert').first();
    await alert.waitFor();
    expect(await alert.textContent()).toContain('CERT_CN_CHANGED');
    expect(await cert.fieldError('PKCS12 file (.p12 or .pfx)')).toContain(CN);
    await expect(cert.details.isVisible()).resolves.toBe(false);
    await expectNoSecretLeaked(page);
    await page.context().close();
  });

  it("(3b) a new certificate from the same private CA: the previous ISO's root is offered pre-filled, still to acknowledge, and removable", async () => {
    expect(gen1, 'journey 1 made generation 1').toBeDefined();
    const page = await signedIn();
    const isoImport = await IsoImportPage.reached(page);
    await isoImport.importIso(gen1!.iso);
    await isoImport.continue();
    const cert = await replaceImportedCertificate(page);

    // Offered: subject and fingerprint of generation 1's root, the acknowledgment not ticked.
    const offered = cert.previousRoot;
    await offered.waitFor();
    const root = new X509Certificate(pki.rootPem);
    const shown = (await offered.textContent()) ?? '';
    expect(shown).toContain('From the previous ISO');
    expect(shown).toContain('CN=HDS Journey Private Root CA, O=HDS Tests');
    expect(shown).toContain(root.fingerprint256);
    expect(await cert.privateRootAcknowledgment.isChecked()).toBe(false);
    await snapshot(page, 'certificate-previous-root-offered');

    // Not trusted without the tick.
    const next = certificateFor(CN, 'same private CA');
    await cert.uploadPkcs12(next.p12, next.password);
    await cert.errorSummary.waitFor();
    expect(await cert.fieldError(/I understand this root is not publicly trusted/)).toMatch(
      /tick the acknowledgment/,
    );

    // Removed: the chain is refused, naming the previous root and how to take it back.
    await offered.getByRole('button', { name: 'Remove this root' }).click();
    await offered.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Check certificate' }).click();
    await cert.errorSummary.getByText('CERT_UNTRUSTED_ROOT').waitFor();
    const refusal = await cert.fieldError('PKCS12 file (.p12 or .pfx)');
    expect(refusal).toContain('private root "HDS Journey Private Root CA"');
    expect(refusal).toContain("that the previous ISO's certificate chain also ended at");
    await snapshot(page, 'certificate-previous-root-removed');

    // Brought back and acknowledged: accepted, the chain ends at that root.
    await page
      .getByRole('button', { name: 'Use the root from the previous ISO (HDS Journey Private Root CA)' })
      .click();
    await offered.waitFor();
    await cert.privateRootAcknowledgment.check();
    await page.getByRole('button', { name: 'Check certificate' }).click();
    await cert.details.waitFor();
    const rootRow = cert.details.getByRole('row').filter({ hasText: 'root' }).last();
    expect(await rootRow.textContent()).toContain('CN=HDS Journey Private Root CA, O=HDS Tests');
    expect(await cert.details.textContent()).toContain('Private root');
    await snapshot(page, 'certificate-previous-root-accepted');
    await expectNoSecretLeaked(page);
    await page.context().close();
  });

  it('(4) damaged and foreign files are refused on the ISO import page', async () => {
    expect(gen1, 'journey 1 made generation 1').toBeDefined();
    const page = await signedIn();
    const isoImport = await IsoImportPage.reached(page);

    // One flipped byte inside a file's data: the manifest's checksum names that file.
    const bytes = readFileSync(gen1!.iso);
    const readme = readFileSync(join(gen1!.dir, 'hds/README.txt'));
    const at = bytes.indexOf(readme);
    expect(at).toBeGreaterThan(0);
    const flipped = Buffer.from(bytes);
    flipped[at + 10] = flipped[at + 10]! ^ 0x01;
    const corrupt = await isoImport.importRefused({
      name: 'flipped.iso',
      mimeType: 'application/octet-stream',
      buffer: flipped,
    });
    expect(corrupt).toContain('ISO_CORRUPT');
    expect(corrupt).toContain('README.txt');
    expect(await isoImport.fileInputDescription()).toContain('README.txt');

    const random = await isoImport.importRefused({
      name: 'random.iso',
      mimeType: 'application/octet-stream',
      buffer: createHash('sha512').update('not an iso').digest(),
    });
    expect(random).toContain('ISO_INVALID');

    const tree = join(work, 'other-tree');
    mkdirSync(join(tree, 'docs'), { recursive: true });
    writeFileSync(join(tree, 'docs/readme.txt'), 'holiday photos\n');
    const other = join(work, 'other.iso');
    execFileSync('xorriso', ['-as', 'mkisofs', '-R', '-J', '-V', 'OTHER', '-o', other, tree], {
      stdio: 'ignore',
    });
    const foreign = await isoImport.importRefused(other);
    expect(foreign).toContain('ISO_NOT_HDS');

    await expectNoSecretLeaked(page);
    await page.context().close();
  });

  it('(4b) a copy re-packed without its file modes (genisoimage -r) imports, with a warning not to give it to nodes', async () => {
    expect(gen1, 'journey 1 made generation 1').toBeDefined();
    const page = await signedIn();
    const isoImport = await IsoImportPage.reached(page);
    const repacked = join(work, 'repacked-r.iso');
    execFileSync('genisoimage', ['-r', '-J', '-V', 'REPACK', '-o', repacked, '.'], {
      cwd: gen1!.dir,
      stdio: 'ignore',
    });
    expect(await isoImport.importIso(repacked)).toContain(CN);
    const warning = (await isoImport.modesLostWarning.textContent()) ?? '';
    expect(warning).toMatch(/7-Zip/);
    expect(warning).toMatch(/deployment was recovered/);
    expect(warning).toMatch(/next ISO you build here is written with the right modes/);
    expect(warning).toMatch(/Do not give this copy to nodes/);
    await snapshot(page, 'import-modes-lost');
    // The ISO hds-setup wrote has its modes: no such warning.
    await isoImport.importIso(gen1!.iso);
    expect(await isoImport.modesLostWarning.count()).toBe(0);
    await expectNoSecretLeaked(page);
    await page.context().close();
  });

  it('(5) an import leaves no pending CSR behind; "Discard and start a new deployment" starts every page from nothing', async () => {
    expect(gen1, 'journey 1 made generation 1').toBeDefined();
    const page = await signedIn();
    const steps = page.getByRole('navigation', { name: 'Setup steps' });
    const titles = ['Overview', 'ISO import', 'Certificate', 'Database', 'System logs', 'Service accounts'];
    /** The pages the step list ticks (its buttons are named "<title> <hint> (done)"). */
    const done = async () => {
      const names = await steps
        .getByRole('button', { name: /\(done\)$/ })
        .evaluateAll((buttons) => buttons.map((b) => b.textContent ?? ''));
      return titles.filter((title) => names.some((name) => name.replace(/^✓/, '').startsWith(title)));
    };
    // The session still holds journey 3's import: starting over asks first.
    const question = await (await IsoImportPage.reached(page)).discardAndStartNewDeployment();
    expect(question).toMatch(/imported generation 1/);

    // Work begun for another name: a key and CSR waiting for the CA's reply.
    const csrPem = await (await CertificatePage.open(page)).createCsr('kms.new.example');
    expect(csrPem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);
    await steps.getByRole('button', { name: /ISO import/ }).click();
    const isoImport = await IsoImportPage.reached(page);
    await isoImport.importIso(gen1!.iso);
    await isoImport.continue();

    // The certificate page starts clean for the imported deployment: its CN, no CSR for another one.
    const cert = await replaceImportedCertificate(page);
    await page.getByText('How do you want to provide the certificate?').waitFor();
    await page.getByLabel('Create a key and CSR').check();
    await expect(page.getByLabel('Common name (CN)').inputValue()).resolves.toBe(CN);
    expect(await page.getByLabel('Certificate signing request (CSR)').count()).toBe(0);
    expect(await page.getByText('kms.new.example').count()).toBe(0);
    expect(await cert.page.getByText(`The nodes are registered with the CN ${CN}`).count()).toBe(1);

    // Starting over after the import: nothing of it is left, and the step list says so.
    await steps.getByRole('button', { name: /ISO import/ }).click();
    const again = await (await IsoImportPage.reached(page)).discardAndStartNewDeployment();
    expect(again).toMatch(/imported generation 1/);
    // The new deployment's service accounts are generated; certificate, database and syslog are to do.
    await expect.poll(done).toEqual(['Overview', 'ISO import', 'Service accounts']);
    // The Certificate page (next after the ISO import) asks for a certificate; nothing is carried over.
    await page.getByText('How do you want to provide the certificate?').waitFor();
    expect(await page.getByRole('button', { name: 'Replace certificate' }).count()).toBe(0);
    expect(await page.getByText('The nodes are registered with the CN').count()).toBe(0);
    await steps.getByRole('button', { name: /Review/ }).click();
    const review = await ReviewPage.reached(page);
    const text = await review.text();
    expect(text).toContain('generation 1');
    expect(text).not.toContain('replacing generation 1');
    for (const section of ['certificate', 'database', 'system logs'])
      expect(await page.getByRole('button', { name: `Complete ${section}` }).count(), section).toBe(1);
    await expectNoSecretLeaked(page);
    await page.context().close();
  });
});
