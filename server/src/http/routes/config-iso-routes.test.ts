import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_HEADER } from '../../../../contract/client-header.js';
import { buildIsoImage } from '../../../../iso/src/index.js';
import { TestPki } from '../../../../scripts/test-env/certificate-fixtures.js';
import { buildHeadlessDeployment } from '../../../../scripts/test-env/headless-deployment.js';
import { createTestDatabase, type TestDatabase } from '../../../../scripts/test-env/key-database.js';
import { type PostgresServer, startPostgres } from '../../../../scripts/test-env/postgres-server.js';
import { postIsoImport } from '../../../../scripts/test-env/test-app.js';
import { readConfigIso } from '../../core/configIso/index.js';
import { createApp } from '../app.js';
import { createLogger } from '../logger.js';

const ROOT = new URL('../../../..', import.meta.url).pathname;
const TOKEN = 'config-iso-routes-test-token';
const EPOCH = '1795000000';

/** The wizard's configuration-ISO API end to end, against a real key database, and the CLI's equal. */
describe('configuration ISO in the wizard', () => {
  let pg: PostgresServer;
  let db: TestDatabase;
  let pki: TestPki;
  let dir: string;
  let gen1: Buffer;
  const logLines: string[] = [];

  function cliBuild(out: string, extra: string[]): void {
    const r = spawnSync(
      process.execPath,
      [
        join(ROOT, 'bin/hds-setup.js'),
        'build',
        '--answers',
        join(dir, 'answers.yaml'),
        '--out',
        out,
        ...extra,
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, SOURCE_DATE_EPOCH: EPOCH },
      },
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hds-wizard-iso-'));
    pg = await startPostgres();
    db = await createTestDatabase(pg, 'wizard_keys');
    pki = new TestPki();
    const deployment = buildHeadlessDeployment({
      dir,
      postgres: pg,
      database: db,
      pki,
      syslogUrl: 'UDP://127.0.0.1:5514',
    });
    gen1 = deployment.iso;
    deployment.reuseCertificate();
  });
  afterAll(async () => {
    await pg?.stop();
    pki?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const importIso = postIsoImport;

  /** GET /api/iso/download with the body kept as bytes. */
  const downloadIso = (agent: ReturnType<typeof request.agent>) =>
    agent
      .get('/api/iso/download')
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });

  /** A signed-in agent and the wizard's state behind it (to show which secret buffers were zero-filled). */
  async function signedInApp() {
    const { app, state } = createApp({
      signInToken: TOKEN,
      host: '127.0.0.1',
      logger: createLogger((l) => logLines.push(l)),
    });
    const agent = request.agent(app);
    await agent.post('/api/session').set(CLIENT_HEADER, 'web').send({ token: TOKEN }).expect(200);
    return { agent, state };
  }

  async function signedIn() {
    return (await signedInApp()).agent;
  }

  const send = (
    agent: ReturnType<typeof request.agent>,
    method: 'put' | 'post',
    path: string,
    body: object,
  ) => agent[method](path).set(CLIENT_HEADER, 'web').send(body);
  const zeroFilled = (bytes: Buffer) => bytes.every((b) => b === 0);
  /**
   * A new deployment with its pages filled in: the test PKCS12 (private root acknowledged), the
   * given database of the local test server (none: that page left empty) and a syslog address.
   */
  const fillNewDeployment = async (
    agent: ReturnType<typeof request.agent>,
    target?: { name: string; user: string; password: string },
  ) => {
    await send(agent, 'post', '/api/deployment/new', {}).expect(200);
    await send(agent, 'put', '/api/certificate/pkcs12', {
      p12: readFileSync(join(dir, 'kms.p12')).toString('base64'),
      password: 'keystore-Pass-1',
      trustRoot: pki.rootPem,
      acknowledgePrivateRoot: true,
    }).expect(200);
    if (target) await saveDatabase(agent, target).expect(200);
    await send(agent, 'put', '/api/syslog', { url: 'udp://127.0.0.1:5514', termination: 'newline' }).expect(
      200,
    );
  };
  /** The Database page saved with a database of the local test server (its live test passes). */
  const saveDatabase = (
    agent: ReturnType<typeof request.agent>,
    target: { name: string; user: string; password: string },
  ) =>
    send(agent, 'put', '/api/database', {
      settings: {
        type: 'postgresql',
        hosts: [`127.0.0.1:${pg.port}`],
        name: target.name,
        username: target.user,
      },
      password: target.password,
    });

  it('imports generation 1, keeps everything, and builds exactly what `hds-setup build --import` builds', async () => {
    const agent = await signedIn();
    const imported = await importIso(agent, gen1).expect(200);
    expect(imported.body).toMatchObject({
      origin: 'imported',
      nextGeneration: 2,
      imported: { generation: 1, certificate: { commonName: 'kms.example.org' } },
    });
    const accounts = await agent.get('/api/service-accounts').expect(200);
    expect(accounts.body).toMatchObject({ mode: 'keep', allowedModes: ['keep', 'soft', 'hard'] });

    const review = await agent.get('/api/review').expect(200);
    expect(review.body.ready).toBe(true);
    expect(review.body.sections.map((s: { complete: boolean }) => s.complete)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(JSON.stringify(review.body)).not.toMatch(/keystore-Pass-1|wizard_keys_owner.*password/);
    // Values read as the pages show them: days, the TLS choice's words, the rotation in plain words.
    const values = Object.fromEntries(
      review.body.sections.flatMap((section: { items: { label: string; value: string }[] }) =>
        section.items.map((item) => [item.label, item.value]),
      ),
    );
    expect(values.Expires).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(values['TLS mode']).toMatch(/^(Prefer|Require) TLS/);
    expect(values.kms).toMatch(/^Secret kept; expires \d{4}-\d{2}-\d{2}$/);

    process.env.SOURCE_DATE_EPOCH = EPOCH;
    try {
      await agent.post('/api/iso/build').set(CLIENT_HEADER, 'web').send({}).expect(200);
    } finally {
      delete process.env.SOURCE_DATE_EPOCH;
    }
    const download = await downloadIso(agent);
    expect(download.status).toBe(200);
    expect(download.headers['content-disposition']).toBe(
      'attachment; filename="hds-config-kms.example.org-gen2.iso"',
    );
    const fromWizard = download.body as Buffer;

    cliBuild(join(dir, 'cli-gen2.iso'), [
      '--import',
      join(dir, 'gen1.iso'),
      '--service-accounts',
      'keep',
      '--skip-db-test',
    ]);
    expect(fromWizard.equals(readFileSync(join(dir, 'cli-gen2.iso')))).toBe(true);

    const gen2 = await readConfigIso(fromWizard);
    const first = await readConfigIso(gen1);
    expect(gen2.manifest.previousManifestSha256).toBe(first.manifestSha256);
    expect(gen2.masterKey.equals(first.masterKey)).toBe(true);

    // The stored copy: identical, truncated, or another generation.
    const verify = (bytes: Buffer) =>
      agent
        .post('/api/iso/verify-backup')
        .set(CLIENT_HEADER, 'web')
        .set('Content-Type', 'application/octet-stream')
        .send(bytes);
    expect((await verify(fromWizard)).body).toMatchObject({ identical: true, kind: 'identical' });
    expect((await verify(fromWizard.subarray(0, 40_000))).body).toMatchObject({
      identical: false,
      kind: 'truncated',
    });
    expect((await verify(gen1)).body).toMatchObject({ identical: false, kind: 'other-generation' });

    const ack = await agent
      .post('/api/iso/acknowledge-backup')
      .set(CLIENT_HEADER, 'web')
      .send({})
      .expect(200);
    expect(ack.body).toMatchObject({ backupAcknowledged: true, databaseBinding: { ok: true } });
  });

  it('soft reset keeps the previous secrets for 10 days; expired ones force a hard reset', async () => {
    const agent = await signedIn();
    await importIso(agent, gen1).expect(200);
    const soft = await agent
      .put('/api/service-accounts')
      .set(CLIENT_HEADER, 'web')
      .send({ mode: 'soft' })
      .expect(200);
    expect(soft.body.mode).toBe('soft');
    expect(soft.body.accounts[0].previousValidUntil).toBeDefined();
    await agent.post('/api/iso/build').set(CLIENT_HEADER, 'web').send({}).expect(200);
    const review = await agent.get('/api/review').expect(200);
    expect(review.body.built).toMatchObject({ generation: 2, backupAcknowledged: false });
    const sa = review.body.sections.find((s: { id: string }) => s.id === 'serviceAccounts');
    expect(sa.items[0].change).toBe('changed');
    const iso = await downloadIso(agent);
    const [before, after] = [await readConfigIso(gen1), await readConfigIso(iso.body as Buffer)];
    for (const [i, account] of after.serviceAccounts.entries()) {
      expect(account.previous?.secret.equals(before.serviceAccounts[i]!.secret), account.name).toBe(true);
      expect(account.secret.equals(before.serviceAccounts[i]!.secret)).toBe(false);
      expect(account.secret.some((b) => b !== 0)).toBe(true);
    }
    const bad = await agent.put('/api/service-accounts').set(CLIENT_HEADER, 'web').send({ mode: 'later' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ code: 'INVALID_INPUT', field: 'mode' });
  });

  it('an import starts every page over from the ISO: a pending CSR and its key, an unconfirmed upload, an ignored database failure and a syslog test are gone', async () => {
    const { agent, state } = await signedInApp();
    // Work of another deployment, begun in this session before the import.
    const csr = await send(agent, 'post', '/api/certificate/csr', {
      cn: 'kms.new.example',
      keyType: 'ec-p256',
    }).expect(200);
    const pendingKey = state.get('certificateRequest')!.privateKeyPem;
    const otherPassword = 'other-Pass-1';
    await send(agent, 'put', '/api/certificate/pkcs12', {
      p12: pki
        .pkcs12(pki.issueLeaf({ cn: 'kms.new.example' }), otherPassword, { chain: ['intermediate', 'root'] })
        .toString('base64'),
      password: otherPassword,
      trustRoot: pki.rootPem,
      acknowledgePrivateRoot: true,
    }).expect(200);
    const uploaded = state.get('certificate')!;
    await send(agent, 'put', '/api/database', {
      settings: { type: 'postgresql', hosts: ['127.0.0.1:1'], name: 'elsewhere', username: 'someone' },
      password: 'Elsewhere-Pass-1',
      ignoreLiveTestFailure: true,
    }).expect(200);
    const otherDbPassword = state.get('database')!.password;
    // Nothing listens there: the failed test is recorded like a passed one would be.
    await send(agent, 'post', '/api/syslog/test', { url: 'udp://127.0.0.1:5599', termination: 'null' });
    expect((await agent.get('/api/syslog')).body.lastTest).toMatchObject({ msgId: expect.any(String) });

    await importIso(agent, gen1).expect(200);

    const certificate = (await agent.get('/api/certificate').expect(200)).body;
    expect(certificate.csr).toBeUndefined();
    expect(certificate).toMatchObject({
      previousCn: 'kms.example.org',
      certificate: { source: 'imported', summary: { cn: 'kms.example.org' } },
    });
    for (const bytes of [pendingKey, uploaded.pkcs12, uploaded.pkcs12Password, otherDbPassword])
      expect(zeroFilled(bytes)).toBe(true);
    // The CA's reply to the discarded CSR finds no key waiting for it.
    const late = await send(agent, 'put', '/api/certificate/chain', {
      chainPem: pki.signCsr(csr.body.csrPem, ['kms.new.example']).certPem + pki.intermediatePem,
      trustRoot: pki.rootPem,
      acknowledgePrivateRoot: true,
    });
    expect(late.status).toBe(400);
    expect(late.body.errors[0]).toMatchObject({ code: 'INVALID_INPUT', field: 'chainPem' });

    const database = (await agent.get('/api/database').expect(200)).body.database;
    expect(database.settings).toMatchObject({ name: db.name, hosts: [`127.0.0.1:${pg.port}`] });
    expect(database.liveTest).toMatchObject({ ok: false, ignored: true, code: 'NOT_TESTED' });
    const syslog = (await agent.get('/api/syslog').expect(200)).body;
    expect(syslog.lastTest).toBeUndefined();
    expect(syslog.settings).toMatchObject({ port: 5514, termination: 'newline' });
  });

  it('"Discard and start a new deployment" after an import and a build starts from nothing: every section empty, the old secrets zero-filled, still signed in', async () => {
    const { agent, state } = await signedInApp();
    await importIso(agent, gen1).expect(200);
    await send(agent, 'put', '/api/service-accounts', { mode: 'soft' }).expect(200);
    await send(agent, 'post', '/api/certificate/csr', { cn: 'kms.example.org', keyType: 'ec-p256' }).expect(
      200,
    );
    await send(agent, 'post', '/api/iso/build', {}).expect(200);
    const deployment = state.get('deployment')!;
    const accounts = state.get('serviceAccounts')!;
    const certificate = state.get('certificate')!;
    const previousMasterKey = Buffer.from(deployment.masterKey);
    const held: Record<string, Buffer> = {
      'master key': deployment.masterKey,
      'imported master key': deployment.imported!.loaded.masterKey,
      'imported database password': deployment.imported!.loaded.database.password,
      'PKCS12 password': certificate.pkcs12Password,
      PKCS12: certificate.pkcs12,
      'pending private key': state.get('certificateRequest')!.privateKeyPem,
      'database password': state.get('database')!.password,
      'built ISO': state.get('builtIso')!.built.bytes,
    };
    for (const account of [...accounts.accounts, ...accounts.imported!]) {
      held[`${account.name} secret ${account.secret.toString('hex').slice(0, 4)}`] = account.secret;
      if (account.previous) held[`${account.name} previous secret`] = account.previous.secret;
    }
    const nonZero = () =>
      Object.entries(held)
        .filter(([, bytes]) => !zeroFilled(bytes))
        .map(([name]) => name);
    expect(nonZero()).toHaveLength(Object.keys(held).length);

    const asked = await send(agent, 'post', '/api/deployment/new', {});
    expect(asked.status).toBe(409);
    expect(asked.body.errors[0]).toMatchObject({ field: 'confirmDiscard' });
    expect(nonZero(), 'asking changes nothing').toHaveLength(Object.keys(held).length);

    const fresh = await send(agent, 'post', '/api/deployment/new', { confirmDiscard: true }).expect(200);
    expect(fresh.body).toEqual({ ok: true, origin: 'new', nextGeneration: 1 });
    expect(nonZero()).toEqual([]);
    const newMasterKey = state.get('deployment')!.masterKey;
    expect(zeroFilled(newMasterKey)).toBe(false);
    expect(newMasterKey.equals(previousMasterKey)).toBe(false);
    expect(Object.keys(state.sections).sort()).toEqual(['deployment', 'serviceAccounts']);

    // The same session answers, and every page reads as in a new deployment.
    expect((await agent.get('/api/certificate').expect(200)).body).toEqual({ ok: true });
    expect((await agent.get('/api/database').expect(200)).body).toEqual({ ok: true, database: null });
    expect((await agent.get('/api/syslog').expect(200)).body).toEqual({ ok: true });
    expect((await agent.get('/api/service-accounts').expect(200)).body).toMatchObject({
      mode: 'new',
      allowedModes: ['new'],
    });
    expect((await agent.get('/api/service-accounts')).body.imported).toBeUndefined();
    expect((await agent.get('/api/tenants/availability')).body).toEqual({
      ok: true,
      databaseConfigured: false,
      masterKeySaved: false,
    });
    const review = (await agent.get('/api/review').expect(200)).body;
    expect(review).toMatchObject({ origin: 'new', generation: 1, previousGeneration: null, ready: false });
    expect(review.built).toBeUndefined();
    expect(review.sections.map((s: { id: string; complete: boolean }) => [s.id, s.complete])).toEqual([
      ['certificate', false],
      ['database', false],
      ['syslog', false],
      ['serviceAccounts', true],
    ]);
  });

  it('discarding a new deployment whose pages were filled in starts from nothing too', async () => {
    const { agent, state } = await signedInApp();
    await fillNewDeployment(agent);
    const held = [
      state.get('deployment')!.masterKey,
      state.get('certificate')!.pkcs12Password,
      ...state.get('serviceAccounts')!.accounts.map((a) => a.secret),
    ];
    await send(agent, 'post', '/api/deployment/new', { confirmDiscard: true }).expect(200);
    expect(held.map(zeroFilled)).toEqual(held.map(() => true));
    expect((await agent.get('/api/certificate')).body).toEqual({ ok: true });
    expect((await agent.get('/api/syslog')).body).toEqual({ ok: true });
  });

  it('refuses damaged and foreign files with the ISO code and the file at fault', async () => {
    const agent = await signedIn();
    const send = (bytes: Buffer) => importIso(agent, bytes);
    const loaded = await readConfigIso(gen1);
    const at = gen1.indexOf(loaded.certificate.chainPem.slice(30, 60));
    const damaged = Buffer.from(gen1);
    damaged[at] = damaged[at]! ^ 0x20;
    const corrupt = await send(damaged);
    expect(corrupt.status).toBe(422);
    expect(corrupt.body.errors[0]).toMatchObject({ code: 'ISO_CORRUPT', field: 'iso' });
    expect(corrupt.body.errors[0].message).toContain('hds/certs/kms-chain.pem');
    const text = (await send(Buffer.from('just some text, not an image'))).body.errors[0];
    expect(text.code).toBe('ISO_INVALID');
    // The message is shown as a sentence on the page: it starts with a capital.
    expect(text.message).toMatch(/^The uploaded file is not a readable ISO 9660 image/);
    expect((await agent.get('/api/deployment')).body.origin).toBeNull();
    const newer = await agent.post('/api/deployment/new').set(CLIENT_HEADER, 'web').send({}).expect(200);
    expect(newer.body).toMatchObject({ origin: 'new', nextGeneration: 1 });
    const again = await agent.post('/api/deployment/new').set(CLIENT_HEADER, 'web').send({});
    expect(again.status).toBe(409);
    expect(again.body.errors[0].field).toBe('confirmDiscard');
  });

  it('a copy re-packed without its Rock Ridge modes still imports (wizard and build --import); inspect refuses it for nodes; a huge or name-less image is refused', async () => {
    // The admin extracted the ISO with 7-Zip (no modes) and re-packed it Joliet-only.
    const tree = join(dir, 'seven-zip');
    mkdirSync(tree);
    const extract = spawnSync('7z', ['x', `-o${tree}`, join(dir, 'gen1.iso')], { encoding: 'utf8' });
    expect(extract.status, extract.stderr).toBe(0);
    const pack = (name: string, flags: string[]) => {
      const out = join(dir, name);
      const r = spawnSync('genisoimage', [...flags, '-o', out, '.'], { cwd: tree, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return out;
    };
    const joliet = pack('joliet-only.iso', ['-J']);
    const agent = await signedIn();
    const imported = await importIso(agent, readFileSync(joliet)).expect(200);
    expect(imported.body).toMatchObject({ origin: 'imported', nextGeneration: 2 });
    // The import answer says this copy lost its modes and must not go to nodes; the intact ISO does not.
    const modesLost = (body: { imported: { warnings: { code: string; message: string }[] } }) =>
      body.imported.warnings.filter((w) => w.code === 'ISO_MODES_LOST');
    expect(modesLost(imported.body)).toEqual([
      {
        code: 'ISO_MODES_LOST',
        message: expect.stringMatching(
          /lost its file modes.*7-Zip.*recovered.*next ISO.*right modes.*Do not give this copy to nodes/s,
        ),
      },
    ]);
    expect(modesLost((await agent.get('/api/deployment').expect(200)).body)).toHaveLength(1);
    // genisoimage -r keeps Rock Ridge but rewrites every secret to 0444.
    const rational = pack('rational.iso', ['-r', '-J']);
    expect(modesLost((await importIso(agent, readFileSync(rational)).expect(200)).body)).toHaveLength(1);
    expect(modesLost((await importIso(agent, gen1).expect(200)).body)).toEqual([]);
    cliBuild(join(dir, 'from-joliet-gen2.iso'), [
      '--import',
      joliet,
      '--service-accounts',
      'keep',
      '--skip-db-test',
    ]);
    const rebuilt = await readConfigIso(join(dir, 'from-joliet-gen2.iso'));
    expect(rebuilt.manifest.generation).toBe(2);
    const inspect = spawnSync(
      process.execPath,
      [join(ROOT, 'bin/hds-setup.js'), 'inspect', joliet, '--json'],
      {
        encoding: 'utf8',
      },
    );
    expect(inspect.status).toBe(1);
    expect(JSON.parse(inspect.stdout).errors[0]).toMatchObject({ code: 'ISO_SECRET_EXPOSED' });
    expect(JSON.parse(inspect.stdout).errors[0].message).toMatch(/build --import/);

    const plain = await importIso(agent, readFileSync(pack('plain.iso', []))).expect(422);
    expect(plain.body.errors[0]).toMatchObject({ code: 'ISO_NOT_HDS', field: 'iso' });
    expect(plain.body.errors[0].message).toMatch(/plain ISO 9660 names/);
    // Within the 16 MiB upload limit, far past what a configuration holds.
    const many = await buildIsoImage(
      Array.from({ length: 20_000 }, (_, i) => ({
        type: 'file' as const,
        path: `hds/many/${i}`,
        mode: 0o444,
        content: new Uint8Array(0),
      })),
      { volumeId: 'MANY', date: new Date(0) },
    );
    const huge = await importIso(agent, many).expect(422);
    expect(huge.body.errors[0]).toMatchObject({ code: 'ISO_CORRUPT', field: 'iso' });
    expect(huge.body.errors[0].message).toMatch(/^The uploaded ISO holds more than 2000 files and folders/);
  }, 60_000);

  it('a page changed after the build takes the ISO off offer until it is built again', async () => {
    const agent = await signedIn();
    await importIso(agent, gen1).expect(200);
    await agent.post('/api/iso/build').set(CLIENT_HEADER, 'web').send({}).expect(200);
    expect((await agent.get('/api/review')).body.built).toMatchObject({ generation: 2 });
    const imported = (await agent.get('/api/syslog').expect(200)).body.settings;
    const syslog = (url: string) =>
      agent
        .put('/api/syslog')
        .set(CLIENT_HEADER, 'web')
        .send({ url, tls: imported.tls, termination: imported.termination })
        .expect(200);

    await syslog('udp://10.9.9.9:514');
    const review = (await agent.get('/api/review').expect(200)).body;
    expect(review.built).toBeUndefined();
    expect(review.builtIsoStale).toBe(true);
    for (const refused of [
      await agent.get('/api/iso/download'),
      await agent.post('/api/iso/acknowledge-backup').set(CLIENT_HEADER, 'web').send({}),
    ]) {
      expect(refused.status).toBe(409);
      expect(refused.body.errors[0]).toMatchObject({ code: 'WIZARD_INCOMPLETE' });
      expect(refused.body.errors[0].message).toMatch(
        /changed after the ISO was built.*Download ISO .* again: it builds the ISO anew/,
      );
    }

    // Putting the setting back as it was makes the built ISO match again.
    await syslog(imported.url);
    expect((await agent.get('/api/review')).body).toMatchObject({ built: { generation: 2 } });
    await syslog('udp://10.9.9.9:514');
    await agent.post('/api/iso/build').set(CLIENT_HEADER, 'web').send({}).expect(200);
    const rebuilt = await downloadIso(agent);
    expect(rebuilt.status).toBe(200);
    expect((await readConfigIso(rebuilt.body as Buffer)).config.syslog.url).toBe('udp://10.9.9.9:514');
  });

  it('an imported ISO whose database is empty (wiped): refused until the admin ticks the box, then bound and audited', async () => {
    // A deployment bound when its ISO was saved, whose database was then wiped.
    const wiped = await createTestDatabase(pg, 'wizard_wiped');
    const sub = join(dir, 'wiped');
    mkdirSync(sub);
    const iso = buildHeadlessDeployment({ dir: sub, postgres: pg, database: wiped, pki }).iso;
    const client = await wiped.connect();
    const tables = async () =>
      (
        await client.query(
          `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
        )
      ).rows.map((r) => r.table_name as string);
    try {
      for (const table of await tables()) await client.query(`DROP TABLE ${table} CASCADE`);
      const where = `127.0.0.1:${pg.port}/wizard_wiped`;

      const agent = await signedIn();
      const refused = await importIso(agent, iso);
      expect(refused.status).toBe(409);
      expect(refused.body.errors).toEqual([
        {
          code: 'ISO_DB_EMPTY',
          field: 'acceptEmptyDatabase',
          message: expect.stringContaining(`The key database at ${where} is empty`),
        },
      ]);
      expect(refused.body.errors[0].message).toMatch(
        /wrong database, or the database was wiped.*Use this empty database/,
      );
      expect((await agent.get('/api/deployment')).body.origin).toBeNull();
      expect(await tables()).toEqual([]);

      const accepted = await importIso(agent, iso, '?acceptEmptyDatabase=true').expect(200);
      expect(accepted.body).toMatchObject({
        origin: 'imported',
        emptyDatabaseAccepted: { code: 'ISO_DB_EMPTY', where, message: expect.stringMatching(/audit log/) },
      });
      // Nothing is written on import: the binding waits for the next saved ISO (or the tenant tab).
      expect(await tables()).toEqual([]);

      await agent.post('/api/iso/build').set(CLIENT_HEADER, 'web').send({}).expect(200);
      expect((await downloadIso(agent)).status).toBe(200);
      const ack = await agent
        .post('/api/iso/acknowledge-backup')
        .set(CLIENT_HEADER, 'web')
        .send({})
        .expect(200);
      expect(ack.body.databaseBinding).toMatchObject({
        ok: true,
        message: expect.stringMatching(/is now bound/),
      });
      const audit = await client.query('SELECT action, detail FROM hds_audit_log ORDER BY id');
      expect(audit.rows.map((r) => r.action)).toEqual([
        'accept-empty-database',
        'bind-master-key',
        'record-service-accounts',
      ]);
      expect(audit.rows[0].detail).toMatch(
        /generation 1 of deployment .*wizard: "Use this empty database" ticked/,
      );

      // Another session with the same ISO: the database is bound to it now, so no question is asked.
      await importIso(await signedIn(), iso).expect(200);
    } finally {
      await client.end();
    }
  });

  it('after an import, a database changed to an empty one is confirmed on the Review page; the tenant tab binds a confirmed one', async () => {
    const fresh = await createTestDatabase(pg, 'wizard_fresh');
    const agent = await signedIn();
    await importIso(agent, gen1).expect(200);
    await saveDatabase(agent, fresh).expect(200);
    const build = (body: object) => agent.post('/api/iso/build').set(CLIENT_HEADER, 'web').send(body);
    const refused = await build({});
    expect(refused.status).toBe(409);
    expect(refused.body.errors[0]).toMatchObject({ code: 'ISO_DB_EMPTY', field: 'acceptEmptyDatabase' });
    expect(refused.body.errors[0].message).toContain(`/${fresh.name} is empty`);
    // The tenant tab writes nothing to an unconfirmed empty database either.
    const tab = await agent.get('/api/tenants');
    expect(tab.status).toBe(409);
    expect(tab.body.errors[0].code).toBe('ISO_DB_EMPTY');

    await build({ acceptEmptyDatabase: true }).expect(200);
    // Confirmed for this database: the tenant tab binds the imported key before any CMK is made.
    expect((await agent.get('/api/tenants')).body).toMatchObject({ ok: true, tenants: [] });
    const client = await fresh.connect();
    try {
      const audit = await client.query('SELECT action FROM hds_audit_log ORDER BY id');
      expect(audit.rows.map((r) => r.action)).toEqual(['accept-empty-database', 'bind-master-key']);
    } finally {
      await client.end();
    }
  });

  /**
   * The race a discard or an import runs against a request that awaits the key database: the test
   * holds a lock the request needs, waits until the request's connection is blocked on it, changes
   * the deployment, then lets the request go on.
   */
  async function untilBlockedOnLock(holder: pg.Client, database: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      // Inside the holder's transaction the activity view is a snapshot: refresh it on every look.
      await holder.query('SELECT pg_stat_clear_snapshot()');
      const { rows } = await holder.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`,
        [database],
      );
      if (rows[0].n > 0) return;
      if (Date.now() > deadline) throw new Error(`no request blocked on a lock in ${database}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  /** The transaction-scoped lock migrateKeyDatabase takes first (postgresql-sql.ts lockSchema). */
  const SCHEMA_LOCK = 7310425119;
  const bindingOf = async (client: pg.Client) => ({
    check: (await client.query('SELECT master_key_check FROM hds_metadata')).rows.map(
      (r) => r.master_key_check,
    ),
    serviceAccounts: (await client.query('SELECT count(*)::int AS n FROM hds_service_accounts')).rows[0].n,
    audit: (await client.query('SELECT action FROM hds_audit_log')).rows.map((r) => r.action),
  });
  const expectDeploymentChanged = (response: request.Response) => {
    expect(response.status).toBe(409);
    expect(response.body.errors).toEqual([
      {
        code: 'DEPLOYMENT_CHANGED',
        message: expect.stringMatching(/discarded or replaced.*nothing was written.*Start again/),
      },
    ]);
  };

  it('a discard while the backup acknowledgment waits for the database binds nothing (DEPLOYMENT_CHANGED)', async () => {
    const target = await createTestDatabase(pg, 'wizard_race_ack');
    const { agent, state } = await signedInApp();
    await fillNewDeployment(agent, target);
    await send(agent, 'post', '/api/iso/build', {}).expect(200);
    await agent.get('/api/iso/download').expect(200);
    const sessionKey = state.get('deployment')!.masterKey;
    const holder = await target.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [SCHEMA_LOCK]);
      const acknowledged = send(agent, 'post', '/api/iso/acknowledge-backup', {}).then((r) => r);
      await untilBlockedOnLock(holder, target.name);
      await send(agent, 'post', '/api/deployment/new', { confirmDiscard: true }).expect(200);
      expect(zeroFilled(sessionKey)).toBe(true);
      await holder.query('SELECT pg_advisory_unlock($1)', [SCHEMA_LOCK]);

      expectDeploymentChanged(await acknowledged);
      // The schema may be there (it belongs to no deployment); no key, no verifier, no audit line.
      expect(await bindingOf(holder)).toEqual({ check: [null], serviceAccounts: 0, audit: [] });
      expect((await agent.get('/api/tenants/availability')).body).toMatchObject({ masterKeySaved: false });
    } finally {
      await holder.end();
    }
  });

  it('an import of another ISO while the build waits for the database offers no ISO (DEPLOYMENT_CHANGED)', async () => {
    const other = await createTestDatabase(pg, 'wizard_race_other');
    const sub = join(dir, 'race-other');
    mkdirSync(sub);
    const otherIso = buildHeadlessDeployment({ dir: sub, postgres: pg, database: other, pki }).iso;
    const { agent, state } = await signedInApp();
    await importIso(agent, gen1).expect(200);
    const sessionKey = state.get('deployment')!.masterKey;
    const holder = await db.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE hds_metadata IN ACCESS EXCLUSIVE MODE');
      const build = send(agent, 'post', '/api/iso/build', {}).then((r) => r);
      await untilBlockedOnLock(holder, db.name);
      await importIso(agent, otherIso).expect(200);
      expect(zeroFilled(sessionKey)).toBe(true);
      await holder.query('ROLLBACK');

      expectDeploymentChanged(await build);
      expect(state.get('builtIso')).toBeUndefined();
      const download = await agent.get('/api/iso/download');
      expect(download.status).toBe(409);
      expect(download.body.errors[0].message).toMatch(
        /Press Download ISO on the Review & download page first/,
      );
      // The session holds the other deployment, untouched by the build of the first one.
      const otherId = (await readConfigIso(otherIso)).manifest.deploymentId;
      expect(state.get('deployment')!.deploymentId).toBe(otherId);
      await send(agent, 'post', '/api/iso/build', {}).expect(200);
      const rebuilt = await readConfigIso((await downloadIso(agent)).body as Buffer);
      expect(rebuilt.manifest.deploymentId).toBe(otherId);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
  });

  it('a discard while the tenant tab binds a confirmed empty database binds nothing (DEPLOYMENT_CHANGED)', async () => {
    const fresh = await createTestDatabase(pg, 'wizard_race_tenants');
    const agent = await signedIn();
    await importIso(agent, gen1).expect(200);
    await saveDatabase(agent, fresh).expect(200);
    await send(agent, 'post', '/api/iso/build', { acceptEmptyDatabase: true }).expect(200);
    const holder = await fresh.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [SCHEMA_LOCK]);
      const opened = agent.get('/api/tenants').then((r) => r);
      await untilBlockedOnLock(holder, fresh.name);
      await send(agent, 'post', '/api/deployment/new', { confirmDiscard: true }).expect(200);
      await holder.query('SELECT pg_advisory_unlock($1)', [SCHEMA_LOCK]);

      expectDeploymentChanged(await opened);
      expect(await bindingOf(holder)).toEqual({ check: [null], serviceAccounts: 0, audit: [] });
    } finally {
      await holder.end();
    }
  });

  it('a new deployment cannot take over a bound database unless its name is typed; the backup needs the download', async () => {
    const agent = await signedIn();
    await fillNewDeployment(agent, db);
    const build = (body: object) => agent.post('/api/iso/build').set(CLIENT_HEADER, 'web').send(body);
    const taken = await build({});
    expect(taken.status).toBe(409);
    expect(taken.body.errors[0]).toMatchObject({ code: 'DB_ALREADY_BOUND', field: 'rebindConfirmation' });
    // It holds no CMK, and the tool knows it: no "if it holds no tenant keys" left to the admin.
    expect(taken.body.errors[0].message).toMatch(/holds no tenant CMK, so it can be re-bound/);
    expect(taken.body.errors[0].message).not.toMatch(/if it holds/);
    const mistyped = await build({ rebindConfirmation: 'hds' });
    expect(mistyped.body.errors[0]).toMatchObject({ code: 'INVALID_INPUT', field: 'rebindConfirmation' });
    await build({ rebindConfirmation: db.name }).expect(200);
    const early = await agent.post('/api/iso/acknowledge-backup').set(CLIENT_HEADER, 'web').send({});
    expect(early.status).toBe(409);
    expect(early.body.errors[0].message).toMatch(/Download the ISO/);
    await agent.get('/api/iso/download').expect(200);
    const ack = await agent
      .post('/api/iso/acknowledge-backup')
      .set(CLIENT_HEADER, 'web')
      .send({})
      .expect(200);
    expect(ack.body.databaseBinding).toMatchObject({ ok: true, message: expect.stringMatching(/re-bound/) });
  });

  it('a new deployment is refused before the build when the bound database holds tenant CMKs, typed name or not', async () => {
    const target = await createTestDatabase(pg, 'wizard_rebind_cmks');
    const newDeploymentOn = async () => {
      const agent = await signedIn();
      await fillNewDeployment(agent, target);
      return agent;
    };
    const first = await newDeploymentOn();
    await send(first, 'post', '/api/iso/build', {}).expect(200);
    await first.get('/api/iso/download').expect(200);
    await send(first, 'post', '/api/iso/acknowledge-backup', {}).expect(200);
    const client = await target.connect();
    try {
      // One tenant with its CMK under the first deployment's master key.
      const orgId = '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
      await client.query(
        `INSERT INTO hds_tenants (org_id, name, status, created_at, updated_at) VALUES ($1, 'Org A', 'active', now(), now())`,
        [orgId],
      );
      await client.query(
        `INSERT INTO hds_tenant_cmks (org_id, key_version, wrapped_key, algorithm, created_at) VALUES ($1, 1, '\\x00', 'test', now())`,
        [orgId],
      );

      const second = await newDeploymentOn();
      for (const body of [{}, { rebindConfirmation: target.name }]) {
        const refused = await send(second, 'post', '/api/iso/build', body);
        expect(refused.status).toBe(409);
        expect(refused.body.errors[0].code).toBe('DB_ALREADY_BOUND');
        // No re-bind is offered: it could never succeed, so no ISO is handed out for this database.
        expect(refused.body.errors[0].field).toBeUndefined();
        expect(refused.body.errors[0].message).toMatch(/holds 1 tenant CMK/);
      }
      const download = await second.get('/api/iso/download');
      expect(download.status).toBe(409);
    } finally {
      await client.end();
    }
  });

  it('never logs a secret', async () => {
    const loaded = await readConfigIso(gen1);
    const log = logLines.join('\n');
    for (const secret of [
      loaded.masterKey.toString('base64'),
      'keystore-Pass-1',
      db.password,
      ...loaded.serviceAccounts.map((a) => a.secret.toString()),
    ])
      expect(log).not.toContain(secret);
  });
});
