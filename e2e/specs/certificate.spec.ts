import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    await SignInPage.openLink(page, wizard.signInUrl);
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
    // The CERT_PRIVATE_ROOT warning must be acknowledged before Continue.
    await expect(cert.continueButton().isDisabled()).resolves.toBe(true);
    await cert.acknowledgeWarnings();
    await expect(cert.continueButton().isEnabled()).resolves.toBe(true);
    expect(await browserStorageDump(cert.page)).not.toContain(PASSWORD);
    expect(wizard.output()).not.toContain(PASSWORD);
    await cert.page.context().close();
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
