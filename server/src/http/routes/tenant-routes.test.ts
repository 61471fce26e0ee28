import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_HEADER } from '../../../../contract/client-header.js';
import type { BulkJobView, TenantView } from '../../../../contract/tenants.js';
import { TestPki } from '../../../../scripts/test-env/certificate-fixtures.js';
import { buildHeadlessDeployment } from '../../../../scripts/test-env/headless-deployment.js';
import { createTestDatabase, type TestDatabase } from '../../../../scripts/test-env/key-database.js';
import {
  freePort,
  type PostgresServer,
  startPostgres,
} from '../../../../scripts/test-env/postgres-server.js';
import { type RsyslogServer, startRsyslog } from '../../../../scripts/test-env/rsyslog-server.js';
import { postIsoImport } from '../../../../scripts/test-env/test-app.js';
import { readConfigIso } from '../../core/configIso/index.js';
import { createApp } from '../app.js';
import { createLogger } from '../logger.js';
import { openTenantWorkspace } from '../tenants/tenant-workspace.js';
import type { WizardState } from '../wizard-state.js';

const TOKEN = 'tenant-routes-test-token';
const XSS_NAME = '<img src=x onerror=alert(1)>';

type Agent = ReturnType<typeof request.agent>;

/**
 * The Tenant CMK Management tab's API against a real key database: the master key comes from a
 * generation-1 ISO built by `hds-setup build` and imported, as an admin would.
 */
describe('tenant CMK management in the wizard', () => {
  let server: PostgresServer;
  let syslog: RsyslogServer;
  let database: TestDatabase;
  let client: pg.Client;
  let pki: TestPki;
  let dir: string;
  let iso: Buffer;
  let agent: Agent;
  let state: WizardState;
  const logLines: string[] = [];
  const bodies: string[] = [];

  /** Every answer is kept, so the last test can show none of them carries key material. */
  const keep = <T extends { text: string }>(res: T): T => {
    bodies.push(res.text);
    return res;
  };
  const post = async (path: string, body: object = {}) =>
    keep(await agent.post(`/api${path}`).set(CLIENT_HEADER, 'web').send(body));
  const get = async (path: string) => keep(await agent.get(`/api${path}`));
  const list = async (): Promise<TenantView[]> => (await get('/tenants')).body.tenants;
  const csvOf = (rows: { orgId: string; name: string }[]) =>
    ['org_id,name', ...rows.map((r) => `${r.orgId},"${r.name.replaceAll('"', '""')}"`)].join('\n');

  async function finished(id: string): Promise<BulkJobView> {
    for (;;) {
      const job = (await get(`/tenants/jobs/${id}`)).body as BulkJobView;
      if (job.state !== 'running') return job;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hds-tenant-routes-'));
    [server, syslog] = await Promise.all([startPostgres(), startRsyslog()]);
    database = await createTestDatabase(server, 'tenant_routes');
    client = await database.connect();
    pki = new TestPki();
    iso = buildHeadlessDeployment({
      dir,
      postgres: server,
      database,
      pki,
      syslogUrl: `UDP://127.0.0.1:${syslog.udpPort}`,
    }).iso;

    let app: ReturnType<typeof createApp>['app'];
    ({ app, state } = createApp({
      signInToken: TOKEN,
      host: '127.0.0.1',
      logger: createLogger((l) => logLines.push(l)),
    }));
    agent = request.agent(app);
    await agent.post('/api/session').set(CLIENT_HEADER, 'web').send({ token: TOKEN }).expect(200);
  });
  afterAll(async () => {
    await client?.end().catch(() => undefined);
    await Promise.all([server?.stop(), syslog?.stop()]);
    pki?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is closed until the ISO with the master key is imported', async () => {
    const before = await get('/tenants');
    expect(before.status).toBe(409);
    expect(before.body.errors[0].code).toBe('DB_NOT_CONFIGURED');
    expect(before.body.errors[0].message).toMatch(/Import your configuration ISO/);
    expect((await get('/tenants/availability')).body).toEqual({
      ok: true,
      databaseConfigured: false,
      masterKeySaved: false,
    });
    await postIsoImport(agent, iso).expect(200);
    expect((await get('/tenants/availability')).body).toEqual({
      ok: true,
      databaseConfigured: true,
      masterKeySaved: true,
    });
    const after = await get('/tenants');
    expect(after.status).toBe(200);
    expect(after.body).toEqual({
      ok: true,
      tenants: [],
      database: `127.0.0.1:${server.port}/${database.name}`,
    });
  });

  it('adds one tenant, refuses a bad org id per field and a second add of the same org', async () => {
    const orgId = randomUUID();
    const added = await post('/tenants', { orgId: orgId.toUpperCase(), name: '  Acme Corp ' });
    expect(added.status).toBe(200);
    expect(added.body.tenants).toEqual([
      expect.objectContaining({ orgId, name: 'Acme Corp', status: 'pending' }),
    ]);
    const bad = await post('/tenants', { orgId: 'not-a-uuid', name: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['name', 'orgId']);
    const again = await post('/tenants', { orgId, name: 'Acme again' });
    expect(again.status).toBe(409);
    expect(again.body.errors[0]).toMatchObject({
      code: 'TENANT_EXISTS',
      field: 'orgId',
      message: `The organisation ${orgId} is already listed as Acme Corp; its name was not changed. Nothing was changed.`,
    });
    expect((await list()).map((t) => t.name)).toEqual(['Acme Corp']);
  });

  it('refuses a name with a text-direction override, in an add and in a CSV, saying which character where', async () => {
    const before = await list();
    // "Acme" + RLO + "evil": shown reversed, it can pass for another organisation's name.
    const added = await post('/tenants', { orgId: randomUUID(), name: 'Acme\u202Elive' });
    expect(added.status).toBe(400);
    expect(added.body.errors).toEqual([
      {
        code: 'INVALID_INPUT',
        field: 'name',
        message: expect.stringMatching(/U\+202E \(RIGHT-TO-LEFT OVERRIDE\) at position 5/),
      },
    ]);
    const imported = await post('/tenants/import', {
      csv: `org_id,name\n${randomUUID()},Fine\n${randomUUID()},"Two\nlines \u2067isolate"\n`,
    });
    expect(imported.status).toBe(422);
    expect(imported.body.errors).toEqual([
      expect.objectContaining({
        code: 'TENANT_CSV_INVALID',
        field: 'csv.3',
        message: expect.stringMatching(/^Line 3: /),
      }),
    ]);
    expect(await list()).toEqual(before);
  });

  it('imports a CSV all or nothing: every bad line is named by its number', async () => {
    const before = await list();
    const good = randomUUID();
    const badCsv = [
      'org_id,name',
      `${good},Good Org`,
      'not-a-uuid,Bad Id Org',
      `${randomUUID()},`,
      `${good},Twice Org`,
      `${randomUUID()},too,many`,
    ].join('\n');
    const refused = await post('/tenants/import', { csv: badCsv });
    expect(refused.status).toBe(422);
    const errors = refused.body.errors as { code: string; field: string; message: string }[];
    expect(errors.every((e) => e.code === 'TENANT_CSV_INVALID')).toBe(true);
    expect(errors.map((e) => e.field)).toEqual(['csv.3', 'csv.4', 'csv.5', 'csv.6']);
    expect(errors.map((e) => e.message.slice(0, 7))).toEqual(['Line 3:', 'Line 4:', 'Line 5:', 'Line 6:']);
    expect(errors[2]!.message).toMatch(/already listed on line 2/);
    expect(await list()).toEqual(before);

    const noHeader = await post('/tenants/import', { csv: `${good},Good Org` });
    expect(noHeader.body.errors[0]).toMatchObject({ code: 'TENANT_CSV_INVALID', field: 'csv.1' });

    const rows = Array.from({ length: 40 }, (_, i) => ({ orgId: randomUUID(), name: `Org ${i}, "Ltd"` }));
    const imported = await post('/tenants/import', {
      csv: csvOf([...rows, { orgId: good, name: XSS_NAME }]),
    });
    expect(imported.status).toBe(200);
    expect(imported.body).toEqual({
      ok: true,
      added: 41,
      alreadyPresent: 0,
      previouslyRevoked: [],
      listedUnderOtherName: [],
      warnings: [],
    });
    const again = await post('/tenants/import', { csv: csvOf(rows.slice(0, 5)) });
    expect(again.body).toEqual({
      ok: true,
      added: 0,
      alreadyPresent: 5,
      previouslyRevoked: [],
      listedUnderOtherName: [],
      warnings: [],
    });
    // Listed already under another name: the answer names the name kept, which is not changed.
    const renamed = await post('/tenants/import', {
      csv: csvOf([{ orgId: rows[1]!.orgId, name: 'Org 1 Renamed' }, rows[2]!]),
    });
    expect(renamed.body).toEqual({
      ok: true,
      added: 0,
      alreadyPresent: 2,
      previouslyRevoked: [],
      listedUnderOtherName: [{ orgId: rows[1]!.orgId, name: 'Org 1 Renamed', listedAs: 'Org 1, "Ltd"' }],
      warnings: [],
    });
    const listed = await list();
    expect(listed).toHaveLength(before.length + 41);
    expect(listed.find((t) => t.orgId === rows[0]!.orgId)?.name).toBe('Org 0, "Ltd"');
  });

  it('returns an XSS-looking org name as plain data, exactly as typed, in JSON', async () => {
    const res = await get('/tenants');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.tenants.filter((t: TenantView) => t.name === XSS_NAME)).toHaveLength(1);
    // JSON carries it as a string; nothing renders or rewrites it on the way.
    expect(res.text).toContain(JSON.stringify(XSS_NAME).slice(1, -1));
  });

  it('creates every pending CMK as a job with progress; a rerun finds nothing left to do', async () => {
    const pending = (await list()).filter((t) => t.status === 'pending');
    const started = await post('/tenants/jobs', { action: 'create' });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ action: 'create', total: pending.length });
    const job = await finished(started.body.id);
    expect(job).toMatchObject({
      state: 'done',
      total: pending.length,
      done: pending.length,
      failed: 0,
      remaining: 0,
    });
    const tenants = await list();
    expect(tenants.every((t) => t.status === 'managed' && t.keyVersion === 1)).toBe(true);
    const audit = await client.query(
      `SELECT count(*)::int AS n FROM hds_audit_log WHERE action = 'create-cmk'`,
    );
    expect(audit.rows[0].n).toBe(pending.length);
    // The syslog audit line names the org, never the key.
    const line = await syslog.waitForMessage(new RegExp(`CMK_CREATE .*${pending[0]!.orgId}`));
    expect(line).toContain(`hds-setup created the CMK of org ${pending[0]!.orgId} (key version 1): ok`);

    const rerun = await finished((await post('/tenants/jobs', { action: 'create' })).body.id);
    expect(rerun).toMatchObject({ state: 'done', total: 0 });
    const unknownOrg = await post('/tenants/jobs', { action: 'create', orgIds: [randomUUID()] });
    expect(unknownOrg.status).toBe(404);
    expect(unknownOrg.body.errors[0].code).toBe('TENANT_NOT_FOUND');
    const unknownJob = await get(`/tenants/jobs/${randomUUID()}`);
    expect(unknownJob.status).toBe(404);
    expect(unknownJob.body.errors[0].code).toBe('NOT_FOUND');
  });

  it('cancels a bulk run between batches; running again finishes the rest', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => ({ orgId: randomUUID(), name: `Bulk ${i}` }));
    expect((await post('/tenants/import', { csv: csvOf(rows) })).body.added).toBe(3000);
    const started = await post('/tenants/jobs', { action: 'create' });
    const cancelled = await post(`/tenants/jobs/${started.body.id}/cancel`);
    expect(cancelled.status).toBe(200);
    const job = await finished(started.body.id);
    expect(job.state).toBe('cancelled');
    expect(job.done).toBeLessThan(3000);
    expect(job.done + job.remaining).toBe(3000);
    // Whatever committed is whole: each done tenant has its key and its audit row, no other has.
    const state = await client.query(
      `SELECT (SELECT count(*)::int FROM hds_tenant_cmks c JOIN hds_tenants t USING (org_id) WHERE t.name LIKE 'Bulk %') AS cmks,
              (SELECT count(*)::int FROM hds_audit_log a JOIN hds_tenants t USING (org_id)
                 WHERE a.action = 'create-cmk' AND t.name LIKE 'Bulk %') AS audits`,
    );
    expect(state.rows[0]).toEqual({ cmks: job.done, audits: job.done });
    const rest = await finished((await post('/tenants/jobs', { action: 'create' })).body.id);
    expect(rest).toMatchObject({ state: 'done', done: 3000 - job.done, failed: 0 });
    expect((await list()).filter((t) => t.status !== 'managed')).toEqual([]);
  });

  it('marks a tenant removed, then revokes it only with its name typed exactly', async () => {
    const target = (await list()).find((t) => t.name === XSS_NAME)!;
    const early = await post(`/tenants/${target.orgId}/revoke`, { confirm: XSS_NAME });
    expect(early.status).toBe(409);
    expect(early.body.errors[0].code).toBe('TENANT_STATE');

    const removed = await post(`/tenants/${target.orgId}/remove`);
    expect(removed.status).toBe(200);
    expect(removed.body.tenants.find((t: TenantView) => t.orgId === target.orgId).status).toBe(
      'removalPending',
    );

    const wrong = await post(`/tenants/${target.orgId}/revoke`, { confirm: '<img src=x>' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors[0]).toMatchObject({ code: 'TENANT_CONFIRMATION_MISMATCH' });
    expect((await list()).find((t) => t.orgId === target.orgId)?.status).toBe('removalPending');

    const revoked = await post(`/tenants/${target.orgId}/revoke`, { confirm: XSS_NAME });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({ ok: true, warnings: [] });
    expect((await list()).map((t) => t.orgId)).not.toContain(target.orgId);
    const key = await client.query('SELECT 1 FROM hds_tenant_cmks WHERE org_id = $1', [target.orgId]);
    expect(key.rows).toEqual([]);
    const audit = await client.query(
      `SELECT action, outcome FROM hds_audit_log WHERE org_id = $1 AND action = 'revoke-cmk'`,
      [target.orgId],
    );
    expect(audit.rows).toEqual([{ action: 'revoke-cmk', outcome: 'ok' }]);
    expect(await syslog.waitForMessage('CMK_REVOKE')).toContain(target.orgId);

    // Added again (typed in braces and upper case): the answer says plainly that its CMK was revoked,
    // when, and that its new CMK is key version 2.
    const readded = await post('/tenants', { orgId: `{${target.orgId.toUpperCase()}}`, name: XSS_NAME });
    expect(readded.status).toBe(200);
    expect(readded.body.previouslyRevoked).toEqual({
      orgId: target.orgId,
      name: XSS_NAME,
      revokedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      lastKeyVersion: 1,
      nextKeyVersion: 2,
    });
    expect((await list()).find((t) => t.orgId === target.orgId)?.status).toBe('pending');
    const again = await post(`/tenants/${target.orgId}/remove`);
    expect(again.status).toBe(200);
    expect((await post(`/tenants/${target.orgId}/revoke`, { confirm: XSS_NAME })).status).toBe(200);

    const badId = await post('/tenants/not-a-uuid/remove');
    expect(badId.status).toBe(400);
    expect(badId.body.errors[0]).toMatchObject({ code: 'INVALID_INPUT', field: 'orgId' });
  });

  it('restores a tenant removed by mistake: CMK managed again, left out of "revoke all removed"; refusals say what to do', async () => {
    const [a, b] = (await list()).filter((t) => t.name.startsWith('Org 3'));
    for (const t of [a!, b!]) expect((await post(`/tenants/${t.orgId}/remove`)).status).toBe(200);
    // Adding a removed org again points to restoring it.
    const add = await post('/tenants', { orgId: b!.orgId, name: b!.name });
    expect(add.status).toBe(409);
    expect(add.body.errors[0]).toMatchObject({ code: 'TENANT_EXISTS', field: 'orgId' });
    expect(add.body.errors[0].message).toMatch(
      /marked removed \(revocation pending\): to bring it back as it was, restore it/,
    );

    const restored = await post(`/tenants/${a!.orgId}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body.restored).toEqual({ ...a, status: 'managed' });
    expect(restored.body.tenants.find((t: TenantView) => t.orgId === a!.orgId)).toEqual(
      restored.body.restored,
    );
    const wrong = await post('/tenants/jobs', { action: 'revoke', confirm: 'revoke 2' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors[0].message).toContain('"revoke 1"');

    const again = await post(`/tenants/${a!.orgId}/restore`);
    expect(again.status).toBe(409);
    expect(again.body.errors[0]).toMatchObject({
      code: 'TENANT_STATE',
      field: 'orgId',
      message: expect.stringMatching(/is not removed: it is listed as CMK managed\. Nothing to restore/),
    });
    const revokedId = (
      await client.query('SELECT org_id::text AS org_id FROM hds_tenants WHERE name = $1', [XSS_NAME])
    ).rows[0].org_id as string;
    const revoked = await post(`/tenants/${revokedId}/restore`);
    expect(revoked.status).toBe(409);
    expect(revoked.body.errors[0]).toMatchObject({ code: 'TENANT_STATE', field: 'orgId' });
    expect(revoked.body.errors[0].message).toMatch(/cannot be restored.*Add it again.*key version 2/);
    const unknown = await post(`/tenants/${randomUUID()}/restore`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors[0]).toMatchObject({ code: 'TENANT_NOT_FOUND', field: 'orgId' });
    const badId = await post('/tenants/not-a-uuid/restore');
    expect(badId.status).toBe(400);
    expect(badId.body.errors[0]).toMatchObject({ code: 'INVALID_INPUT', field: 'orgId' });

    expect((await post(`/tenants/${b!.orgId}/restore`)).body.restored).toMatchObject({ status: 'managed' });
    const audit = await client.query(
      `SELECT org_id::text AS org_id FROM hds_audit_log WHERE action = 'restore-tenant' ORDER BY id`,
    );
    expect(audit.rows.map((r) => r.org_id)).toEqual([a!.orgId, b!.orgId]);
    expect((await list()).filter((t) => t.status === 'removalPending')).toEqual([]);
  });

  it('sends every add, import, remove and restore to syslog too; a syslog that refuses is a warning in the answer and the change stands', async () => {
    const one = { orgId: randomUUID(), name: 'Syslogged Org' };
    const added = await post('/tenants', one);
    expect(added.status).toBe(200);
    expect(added.body.warnings).toEqual([]);
    await syslog.waitForMessage(new RegExp(`TENANT_ADD .*org ${one.orgId} to the tenant list: ok`));
    const rows = [randomUUID(), randomUUID()].map((orgId, i) => ({ orgId, name: `Syslogged CSV ${i}` }));
    expect((await post('/tenants/import', { csv: csvOf(rows) })).body).toMatchObject({
      added: 2,
      warnings: [],
    });
    for (const { orgId } of rows) await syslog.waitForMessage(new RegExp(`TENANT_ADD .*${orgId}`));
    const removed = await post(`/tenants/${one.orgId}/remove`);
    expect(removed.body.warnings).toEqual([]);
    expect(await syslog.waitForMessage(new RegExp(`TENANT_REMOVE .*${one.orgId}`))).toContain(
      `hds-setup marked org ${one.orgId} removed from the cluster (no CMK): ok`,
    );
    const restored = await post(`/tenants/${one.orgId}/restore`);
    expect(restored.body).toMatchObject({ restored: { status: 'pending' }, warnings: [] });
    await syslog.waitForMessage(new RegExp(`TENANT_RESTORE .*${one.orgId}`));

    // The System logs page now names a TCP port nothing listens on.
    const udpUrl = `udp://127.0.0.1:${syslog.udpPort}`;
    const setSyslog = (url: string) =>
      agent.put('/api/syslog').set(CLIENT_HEADER, 'web').send({ url, tls: false, termination: 'newline' });
    expect((await setSyslog(`tcp://127.0.0.1:${await freePort()}`)).status).toBe(200);
    try {
      const notSent = {
        code: 'SYSLOG_UNREACHABLE',
        lines: 1,
        message: expect.stringMatching(
          /^The change is saved and recorded in the key database's audit log, but 1 audit line did not reach syslog at tcp:\/\/127\.0\.0\.1:\d+: .*refused the connection.* Check the System logs page\.$/,
        ),
      };
      const late = { orgId: randomUUID(), name: 'Added While Syslog Is Down' };
      const addedDown = await post('/tenants', late);
      expect(addedDown.status).toBe(200);
      expect(addedDown.body.warnings).toEqual([notSent]);
      const removedDown = await post(`/tenants/${late.orgId}/remove`);
      expect(removedDown.status).toBe(200);
      expect(removedDown.body.warnings).toEqual([notSent]);
      expect(removedDown.body.tenants.find((t: TenantView) => t.orgId === late.orgId).status).toBe(
        'removalPending',
      );
      const restoredDown = await post(`/tenants/${late.orgId}/restore`);
      expect(restoredDown.status).toBe(200);
      expect(restoredDown.body).toMatchObject({ restored: { status: 'pending' }, warnings: [notSent] });
      const audit = await client.query('SELECT action FROM hds_audit_log WHERE org_id = $1 ORDER BY id', [
        late.orgId,
      ]);
      expect(audit.rows.map((r) => r.action)).toEqual(['add-tenant', 'remove-tenant', 'restore-tenant']);
      expect(syslog.lines().join('\n')).not.toContain(late.orgId);
    } finally {
      expect((await setSyslog(udpUrl)).status).toBe(200);
    }
  });

  it('revokes all removed tenants as a job only with "revoke <n>" typed', async () => {
    const [a, b] = (await list()).filter((t) => t.name.startsWith('Org '));
    for (const t of [a!, b!]) await post(`/tenants/${t.orgId}/remove`);
    const wrong = await post('/tenants/jobs', { action: 'revoke', confirm: 'revoke all' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors[0]).toMatchObject({ code: 'TENANT_CONFIRMATION_MISMATCH', field: 'confirm' });
    expect(wrong.body.errors[0].message).toContain('"revoke 2"');
    const job = await finished(
      (await post('/tenants/jobs', { action: 'revoke', confirm: 'revoke 2' })).body.id,
    );
    expect(job).toMatchObject({ action: 'revoke', state: 'done', done: 2, failed: 0 });
    expect((await list()).filter((t) => t.status === 'removalPending')).toEqual([]);
  });

  it('bulk runs whose audit lines syslog refuses are done, and the job view carries one SYSLOG_UNREACHABLE warning with the count, naming no org', async () => {
    const rows = Array.from({ length: 5 }, (_, i) => ({ orgId: randomUUID(), name: `Unsyslogged ${i}` }));
    expect((await post('/tenants/import', { csv: csvOf(rows) })).body).toMatchObject({
      added: 5,
      warnings: [],
    });
    const deadPort = await freePort();
    const setSyslog = (url: string) =>
      agent.put('/api/syslog').set(CLIENT_HEADER, 'web').send({ url, tls: false, termination: 'newline' });
    expect((await setSyslog(`tcp://127.0.0.1:${deadPort}`)).status).toBe(200);
    const notSent = (lines: number) => ({
      code: 'SYSLOG_UNREACHABLE',
      lines,
      message: expect.stringMatching(
        new RegExp(
          `^The changes? (is|are) saved and recorded in the key database's audit log, but ${lines} audit lines? did not reach syslog at tcp://127\\.0\\.0\\.1:${deadPort}: 127\\.0\\.0\\.1:${deadPort}.* refused the connection: nothing listens on that TCP port\\..* Check the System logs page\\.$`,
        ),
      ),
    });
    try {
      const started = await post('/tenants/jobs', { action: 'create', orgIds: rows.map((r) => r.orgId) });
      expect(started.body.warnings).toEqual([]);
      const created = await finished(started.body.id);
      expect(created).toMatchObject({ state: 'done', done: 5, failed: 0, warnings: [notSent(5)] });
      expect((await list()).filter((t) => t.name.startsWith('Unsyslogged')).map((t) => t.status)).toEqual(
        Array(5).fill('managed'),
      );

      // One revoke per transaction, so one audit send each: the view still carries one warning, counted.
      for (const { orgId } of rows.slice(0, 3))
        expect((await post(`/tenants/${orgId}/remove`)).body.warnings).toEqual([notSent(1)]);
      const revoked = await finished(
        (await post('/tenants/jobs', { action: 'revoke', confirm: 'revoke 3' })).body.id,
      );
      expect(revoked).toMatchObject({ state: 'done', done: 3, warnings: [notSent(3)] });
      // The single revoke answers alike.
      const last = rows[3]!;
      await post(`/tenants/${last.orgId}/remove`);
      expect((await post(`/tenants/${last.orgId}/revoke`, { confirm: last.name })).body).toEqual({
        ok: true,
        warnings: [notSent(1)],
      });
      const audit = await client.query(
        `SELECT count(*)::int AS n FROM hds_audit_log WHERE action = 'revoke-cmk' AND org_id = ANY($1::uuid[])`,
        [rows.slice(0, 4).map((r) => r.orgId)],
      );
      expect(audit.rows[0].n).toBe(4);
      const said = JSON.stringify([created.warnings, revoked.warnings]);
      for (const { orgId, name } of rows) {
        expect(said).not.toContain(orgId);
        expect(said).not.toContain(name);
      }
    } finally {
      expect((await setSyslog(`udp://127.0.0.1:${syslog.udpPort}`)).status).toBe(200);
    }
  });

  it('no answer and no log line carries key material or a secret', async () => {
    const loaded = await readConfigIso(iso);
    const wrapped = (await client.query('SELECT wrapped_key FROM hds_tenant_cmks LIMIT 50')).rows.map(
      (r) => r.wrapped_key as Buffer,
    );
    expect(wrapped.length).toBeGreaterThan(0);
    const secrets = [
      loaded.masterKey.toString('base64'),
      loaded.masterKey.toString('hex'),
      database.password,
      'keystore-Pass-1',
      ...loaded.serviceAccounts.map((a) => a.secret.toString()),
      ...wrapped.flatMap((w) => [w.toString('base64'), w.toString('hex')]),
    ];
    const everything = [...bodies, ...logLines].join('\n');
    expect(bodies.length).toBeGreaterThan(30);
    for (const secret of secrets) expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(/wrapped_?key|"masterKey"/i);
  });

  it("a discarded deployment's CMK runs are not shown to the one that replaces it; re-importing shows them again", async () => {
    const orgId = randomUUID();
    await post('/tenants', { orgId, name: 'Last Org' });
    const run = await finished((await post('/tenants/jobs', { action: 'create', orgIds: [orgId] })).body.id);
    expect(run).toMatchObject({ state: 'done', done: 1 });
    await post('/deployment/new', { confirmDiscard: true });
    const gone = await get(`/tenants/jobs/${run.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.errors[0]).toMatchObject({ code: 'NOT_FOUND' });
    expect(gone.body.errors[0].message).toMatch(/deployment this session no longer holds/);
    expect((await post(`/tenants/jobs/${run.id}/cancel`)).status).toBe(404);
    await postIsoImport(agent, iso).expect(200);
    expect((await get(`/tenants/jobs/${run.id}`)).body).toMatchObject({ id: run.id, state: 'done' });
  });

  it('a discard while the tab works does not reach the key it wraps with: the workspace holds its own copy, zero-filled when it closes', async () => {
    const workspace = await openTenantWorkspace(state);
    try {
      await post('/deployment/new', { confirmDiscard: true });
      const isoKey = (await readConfigIso(iso)).masterKey;
      expect(workspace.masterKey.equals(isoKey)).toBe(true);
    } finally {
      await workspace.close();
    }
    expect(workspace.masterKey.every((b) => b === 0)).toBe(true);
  });
});
