import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCaIssuerServer } from '../../scripts/test-env/ca-issuer-server.js';
import { TestPki } from '../../scripts/test-env/certificate-fixtures.js';
import {
  browserStorageDump,
  closeBrowser,
  launchBrowser,
  startWizard,
  type WizardProcess,
} from '../fixtures.js';
import { CertificatePage } from '../pages/certificate-page.js';
import { SignInPage } from '../pages/sign-in-page.js';

const PASSWORD = 'e2e-P12-password!';

describe('Certificate page', () => {
  let wizard: WizardProcess;
  let browser: Browser;
  let pki: TestPki;
  beforeAll(async () => {
    pki = new TestPki();
    wizard = await startWizard();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await closeBrowser();
    await wizard.stop();
    pki.cleanup();
  });

  async function openCertificatePage(): Promise<CertificatePage> {
    const context = await browser.newContext();
    const page = await context.newPage();
    await SignInPage.openLink(page, await wizard.nextSignInUrl());
    return CertificatePage.open(page);
  }

  it('uploads a good PKCS12 with the private root acknowledged and shows its details', async () => {
    const cert = await openCertificatePage();
    const p12 = pki.pkcs12(pki.issueLeaf({ sans: ['kms-b.example.org'] }), PASSWORD);
    await cert.uploadPkcs12(p12, PASSWORD, pki.rootPem);
    await cert.details.waitFor();
    const details = (await cert.details.textContent()) ?? '';
    expect(details).toContain('kms.example.org');
    expect(details).toContain('kms-b.example.org');
    expect(details).toContain('EC P-256');
    expect(details).toContain('HDS Test Issuing CA');
    expect(details).toContain('Private root');
    // The check's outcome takes the focus (a screen reader reads it), and while the CERT_PRIVATE_ROOT
    // warning waits for the acknowledgment the page does not call the certificate accepted.
    const status = cert.status;
    expect(await status.textContent()).toMatch(/^Certificate needs your acknowledgment/);
    expect((await cert.focused()).text).toMatch(/^Certificate needs your acknowledgment/);
    expect(await cert.page.getByText('Certificate accepted').count()).toBe(0);
    await expect(cert.continueButton().isDisabled()).resolves.toBe(true);
    await cert.acknowledgeWarnings();
    await expect(cert.continueButton().isEnabled()).resolves.toBe(true);
    expect(await status.textContent()).toMatch(/^Certificate accepted/);
    expect(await browserStorageDump(cert.page)).not.toContain(PASSWORD);
    expect(wizard.output()).not.toContain(PASSWORD);
    await cert.page.context().close();
  });

  it('a PKCS12 without its intermediate: the downloaded one is marked in the chain, with its warning to acknowledge', async () => {
    const site = await startCaIssuerServer({ '/issuing-ca.pem': Buffer.from(pki.intermediatePem) });
    try {
      const cert = await openCertificatePage();
      const leaf = pki.issueLeaf({ caIssuers: [`${site.base}/issuing-ca.pem`] });
      await cert.uploadPkcs12(pki.pkcs12(leaf, PASSWORD, { chain: [] }), PASSWORD, pki.rootPem);
      await cert.details.waitFor();
      const details = (await cert.details.textContent()) ?? '';
      const downloaded = cert.details.getByRole('row').filter({ hasText: 'intermediate' });
      expect(await downloaded.getByText('downloaded', { exact: true }).count()).toBe(1);
      expect(details).toContain(`from ${site.base}/issuing-ca.pem, not from your file`);
      const warning = cert.page.getByRole('listitem').filter({ hasText: 'CERT_INTERMEDIATE_FETCHED' });
      expect(await warning.textContent()).toContain(
        `hds-setup downloaded "CN=HDS Test Issuing CA, O=HDS Tests" from ${site.base}/issuing-ca.pem`,
      );
      expect(await cert.status.textContent()).toMatch(/^Certificate needs your acknowledgment/);
      await cert.acknowledgeWarnings();
      await expect(cert.continueButton().isEnabled()).resolves.toBe(true);
      await cert.page.context().close();
    } finally {
      await site.close();
    }
  });

  it('the error summary takes the focus and each of its items moves the focus to its field', async () => {
    const cert = await openCertificatePage();
    const { page } = cert;
    await page.getByRole('button', { name: 'Check certificate' }).click();
    await cert.errorSummary.waitFor();
    expect((await cert.focused()).text).toMatch(/^Please fix the following/);
    const fileInput = page.getByLabel('PKCS12 file (.p12 or .pfx)');
    await cert.errorSummary.getByRole('link', { name: 'Choose the PKCS12 file (.p12 or .pfx).' }).click();
    expect((await cert.focused()).id).toBe(await fileInput.getAttribute('id'));

    // A refusal from the server: the summary is focused again, and its link leads to the password.
    const p12 = pki.pkcs12(pki.issueLeaf(), PASSWORD);
    await cert.uploadPkcs12(p12, 'not-the-password');
    const link = cert.errorSummary.getByRole('link', { name: /The password does not open this PKCS12 file/ });
    await link.waitFor();
    expect((await cert.focused()).text).toContain('P12_BAD_PASSWORD');
    // Keyboard only: Tab reaches the link, Enter follows it.
    await link.focus();
    await page.keyboard.press('Enter');
    const password = page.getByLabel('PKCS12 password');
    expect((await cert.focused()).id).toBe(await password.getAttribute('id'));
    await expect(password.getAttribute('aria-invalid')).resolves.toBe('true');
    expect(await cert.fieldError('PKCS12 password')).toMatch(/The password does not open this PKCS12 file/);
    // Following the link does not change the page the address bar names.
    expect(new URL(page.url()).hash).toBe('#/certificate');
    await page.context().close();
  });

  it('without the acknowledgment a private chain is CERT_UNTRUSTED_ROOT, shown beside the file field', async () => {
    const cert = await openCertificatePage();
    const p12 = pki.pkcs12(pki.issueLeaf(), PASSWORD, { chain: ['intermediate', 'root'] });
    await cert.uploadPkcs12(p12, PASSWORD);
    await cert.page.getByRole('alert').waitFor();
    expect(await cert.fieldError('PKCS12 file (.p12 or .pfx)')).toMatch(/not a publicly trusted CA/);
    await cert.page.context().close();
  });

  it('a wildcard certificate is refused, with the error next to the file field', async () => {
    const cert = await openCertificatePage();
    const p12 = pki.pkcs12(pki.issueLeaf({ cn: '*.example.org' }), PASSWORD);
    await cert.uploadPkcs12(p12, PASSWORD, pki.rootPem);
    await cert.page.getByRole('alert').waitFor();
    expect(await cert.fieldError('PKCS12 file (.p12 or .pfx)')).toMatch(/wildcard CNs are not allowed/);
    await expect(
      cert.page.getByLabel('PKCS12 file (.p12 or .pfx)').getAttribute('aria-invalid'),
    ).resolves.toBe('true');
    await cert.page.context().close();
  });

  it('creates a key and CSR, the test CA signs it, and the certificate is completed', async () => {
    const cert = await openCertificatePage();
    const csrPem = await cert.createCsr('kms.example.org');
    expect(csrPem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);
    const issued = pki.signCsr(csrPem, ['kms.example.org']);
    await cert.completeCertificate(issued.certPem + pki.intermediatePem, pki.rootPem);
    await cert.details.waitFor();
    expect(await cert.details.textContent()).toContain('kms.example.org');
    expect(await cert.page.content()).not.toMatch(/PRIVATE KEY/);
    await cert.page.context().close();
  });
});
