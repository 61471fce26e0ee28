import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/test-env/postgres-server.js';
import { type RsyslogServer, startRsyslog } from '../../scripts/test-env/rsyslog-server.js';
import { closeBrowser, launchBrowser, snapshot, startWizard, type WizardProcess } from '../fixtures.js';
import { SignInPage } from '../pages/sign-in-page.js';
import { SyslogPage } from '../pages/syslog-page.js';

describe('System logs page', () => {
  let wizard: WizardProcess;
  let browser: Browser;
  let rsyslog: RsyslogServer;
  let page: Page;
  beforeAll(async () => {
    [wizard, browser, rsyslog] = await Promise.all([
      startWizard(),
      launchBrowser(),
      startRsyslog({ tls: true }),
    ]);
    page = await browser.newPage();
    await SignInPage.openLink(page, await wizard.nextSignInUrl());
  });
  afterAll(async () => {
    await closeBrowser();
    await wizard?.stop();
    await rsyslog?.stop();
  });

  it('sends a TLS test message with the uploaded root CA; the admin sees the id and rsyslog gets it', async () => {
    const syslog = await SyslogPage.open(page);
    await syslog.fill({
      url: `tcp://localhost:${rsyslog.tlsPort}`,
      tls: true,
      rootCa: { name: 'syslog-root.pem', pem: rsyslog.caPem! },
      termination: 'newline',
    });
    await syslog.sendTestMessage();
    await expect(syslog.confirmation.textContent()).resolves.toMatch(
      /Test message delivered.*Delivered to localhost:\d+ over TLS; check your syslog server for message HDSTEST-/,
    );
    await expect(syslog.confirmation.textContent()).resolves.toMatch(/verified against the uploaded root CA/);
    const id = await syslog.messageId();
    expect(await rsyslog.waitForMessage(id)).toMatch(
      new RegExp(`^<133>1 .* hds-setup \\d+ ${id} - Test message ${id}`),
    );
  });

  it('over UDP says what UDP can and cannot confirm', async () => {
    const syslog = await SyslogPage.open(page);
    await syslog.fill({ url: `udp://127.0.0.1:${rsyslog.udpPort}`, tls: false });
    await syslog.sendTestMessage();
    const id = await syslog.messageId();
    await expect(syslog.confirmation.textContent()).resolves.toContain(
      `Sent; check your syslog server for message ${id}. (UDP cannot confirm delivery.)`,
    );
    await rsyslog.waitForMessage(id);
  });

  it('a test result goes away as soon as the URL, TLS or termination it was about changes', async () => {
    const syslog = await SyslogPage.open(page);
    const deadUrl = `tcp://127.0.0.1:${await freePort()}`;
    await syslog.fill({ url: deadUrl, tls: false, termination: 'newline' });
    await syslog.sendTestMessage();
    await expect(syslog.errors.textContent()).resolves.toMatch(/could not be sent.*SYSLOG_UNREACHABLE/);
    await expect(syslog.url.getAttribute('aria-invalid')).resolves.toBe('true');
    await snapshot(page, 'syslog-test-failed');

    // Another URL: the failure was about the old one, so it leaves the page at once.
    await syslog.url.fill(`tcp://127.0.0.1:${rsyslog.tcpPort}`);
    await syslog.errors.waitFor({ state: 'detached' });
    expect(await page.getByText('You can still continue').count()).toBe(0);
    await expect(syslog.url.getAttribute('aria-invalid')).resolves.toBe('false');
    await snapshot(page, 'syslog-test-cleared-after-url-change');

    // A delivered test, then the termination changes: the report goes too.
    await syslog.sendTestMessage();
    await expect(syslog.confirmation.textContent()).resolves.toMatch(/Test message delivered/);
    await page
      .getByRole('group', { name: 'Record termination' })
      .getByRole('radio', { name: /Null byte/ })
      .check();
    await syslog.confirmation.waitFor({ state: 'detached' });

    // And TLS: a failure over plain TCP says nothing about TLS.
    await syslog.url.fill(deadUrl);
    await syslog.sendTestMessage();
    await syslog.errors.waitFor();
    await page
      .getByRole('group', { name: 'Is your server configured for TLS?' })
      .getByRole('radio', { name: 'Yes' })
      .check();
    await syslog.errors.waitFor({ state: 'detached' });
    // Back to the settings that failed: the old result does not come back; only a new test tells.
    await page
      .getByRole('group', { name: 'Is your server configured for TLS?' })
      .getByRole('radio', { name: 'No' })
      .check();
    expect(await syslog.errors.count()).toBe(0);
    expect(await syslog.confirmation.count()).toBe(0);
  });

  it('the last test noted from before is shown only while the settings are the ones it tested', async () => {
    const syslog = await SyslogPage.open(page);
    await syslog.fill({ url: `udp://127.0.0.1:${rsyslog.udpPort}`, tls: false, termination: 'newline' });
    await syslog.sendTestMessage();
    const id = await syslog.messageId();
    await syslog.continue();
    await syslog.heading.waitFor({ state: 'detached' });

    const back = await SyslogPage.open(page);
    const note = page.getByText(`message id ${id}`);
    await note.waitFor();
    await expect(page.getByText(/^Last test .*: sent/).count()).resolves.toBe(1);
    await back.url.fill(`udp://127.0.0.1:${rsyslog.udpPort + 1}`);
    await note.waitFor({ state: 'detached' });
    await snapshot(page, 'syslog-last-test-hidden-after-change');
    await back.url.fill(`udp://127.0.0.1:${rsyslog.udpPort}`);
    await note.waitFor();
  });

  it('a bad URL is shown beside the field; a failed test still lets the admin continue', async () => {
    const syslog = await SyslogPage.open(page);
    await syslog.fill({ url: 'syslog.example.com:514' });
    await syslog.sendTestMessage();
    await expect(syslog.errors.textContent()).resolves.toContain('SYSLOG_URL_INVALID');
    await expect(syslog.url.getAttribute('aria-invalid')).resolves.toBe('true');

    await syslog.fill({ url: `tcp://127.0.0.1:${await freePort()}`, termination: 'null' });
    await syslog.sendTestMessage();
    await expect(syslog.errors.textContent()).resolves.toMatch(/could not be sent.*SYSLOG_UNREACHABLE/);
    await syslog.continue();
    await page.getByRole('heading', { name: 'System logs' }).waitFor({ state: 'detached' });
    const step = page
      .getByRole('navigation', { name: 'Setup steps' })
      .getByRole('button', { name: /System logs/ });
    await expect(step.textContent()).resolves.toContain('(done)');
  });
});
