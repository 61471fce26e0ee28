import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../scripts/test-env/key-database.js';
import {
  freePort,
  type PostgresServer,
  startPostgres,
} from '../../../../scripts/test-env/postgres-server.js';
import { type RsyslogServer, startRsyslog } from '../../../../scripts/test-env/rsyslog-server.js';
import { runCli } from '../../../../scripts/test-env/run-cli.js';
import { buildConfigIso } from '../../core/configIso/index.js';
import { bindMasterKey, migrateKeyDatabase, postgresKeyDatabase } from '../../core/keyDatabase/index.js';
import { generateMasterKey } from '../../core/secrets/master-key.js';
import { issueServiceAccounts } from '../../core/secrets/service-accounts.js';

let server: PostgresServer;
let syslog: RsyslogServer;
let database: TestDatabase;
let dir: string;
let isoPath: string;
let otherIsoPath: string;
/** The same deployment, but its syslog URL names a TCP port nothing listens on. */
let deadSyslogIsoPath: string;

async function writeIso(name: string, masterKey: Buffer, syslogUrl?: string): Promise<string> {
  const now = new Date();
  const built = await buildConfigIso({
    masterKey,
    deploymentId: randomUUID(),
    generation: 1,
    previousManifestSha256: null,
    createdAt: now,
    toolVersion: '0.1.0',
    certificate: {
      pkcs12: Buffer.from('opaque'),
      password: Buffer.from('p12-pass'),
      chainPem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
      commonName: 'kms.example.org',
      subjectAltNames: ['kms.example.org'],
      notBefore: now,
      notAfter: new Date(now.getTime() + 365 * 86_400_000),
      fingerprintSha256: 'AA:BB',
    },
    database: {
      settings: {
        type: 'postgresql',
        hosts: [`127.0.0.1:${server.port}`],
        name: database.name,
        auth: 'basic',
        username: database.user,
        tlsMode: 'prefer',
        advanced: { app_datasource_connection_pool_maxSize: 10, connectTimeoutSeconds: 10 },
      },
      password: Buffer.from(database.password),
    },
    syslog: {
      settings: { url: syslogUrl ?? `udp://127.0.0.1:${syslog.udpPort}`, tls: false, termination: 'newline' },
    },
    serviceAccounts: issueServiceAccounts(now),
  });
  const path = join(dir, name);
  writeFileSync(path, built.bytes);
  return path;
}

beforeAll(async () => {
  [server, syslog] = await Promise.all([startPostgres(), startRsyslog()]);
  database = await createTestDatabase(server, 'cli_tenants');
  dir = mkdtempSync(join(tmpdir(), 'hds-tenants-cli-'));
  const masterKey = generateMasterKey();
  isoPath = await writeIso('current.iso', Buffer.from(masterKey));
  otherIsoPath = await writeIso('other.iso', generateMasterKey());
  deadSyslogIsoPath = await writeIso(
    'dead-syslog.iso',
    Buffer.from(masterKey),
    `tcp://127.0.0.1:${await freePort()}`,
  );
  const client = await database.connect();
  const db = postgresKeyDatabase(client, database.where);
  await migrateKeyDatabase(db);
  await bindMasterKey(db, masterKey, { deploymentLabel: 'kms.example.org' });
  await client.end();
});
afterAll(async () => {
  await Promise.all([server?.stop(), syslog?.stop()]);
});

async function tenants(...args: string[]): Promise<{ code: number; json: Record<string, unknown> }> {
  const run = await runCli('tenants', ...args, '--json');
  return { code: run.code, json: JSON.parse(run.stdout) as Record<string, unknown> };
}

describe('hds-setup tenants', () => {
  it('imports a CSV, creates every CMK, removes and revokes one with its typed name', async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const csv = join(dir, 'tenants.csv');
    writeFileSync(csv, `org_id,name\n${ids[0]},Acme\n${ids[1]},"Widgets, Inc."\n${ids[2]},Zeta\n`);
    expect(await tenants('import-csv', '--iso', isoPath, '--csv', csv)).toMatchObject({
      code: 0,
      json: { ok: true, added: 3, alreadyPresent: 0 },
    });
    expect(await tenants('create-cmks', '--iso', isoPath, '--all')).toMatchObject({
      code: 0,
      json: { ok: true, state: 'done', done: 3, failed: 0 },
    });
    await syslog.waitForMessage(new RegExp(`CMK_CREATE .*${ids[2]}`));
    const listed = await tenants('list', '--iso', isoPath);
    expect((listed.json.tenants as { status: string }[]).map((t) => t.status)).toEqual([
      'managed',
      'managed',
      'managed',
    ]);
    expect(await tenants('revoke', '--iso', isoPath, '--org', ids[0]!, '--confirm', 'Acme')).toMatchObject({
      code: 1,
      json: { errors: [{ code: 'TENANT_STATE' }] },
    });
    expect(await tenants('remove', '--iso', isoPath, '--org', ids[0]!)).toMatchObject({ code: 0 });
    expect(await tenants('revoke', '--iso', isoPath, '--org', ids[0]!, '--confirm', 'acme')).toMatchObject({
      code: 1,
      json: { errors: [{ code: 'TENANT_CONFIRMATION_MISMATCH' }] },
    });
    expect(await tenants('revoke', '--iso', isoPath, '--org', ids[0]!, '--confirm', 'Acme')).toMatchObject({
      code: 0,
      json: { ok: true, revoked: true },
    });
    const after = await tenants('list', '--iso', isoPath);
    expect((after.json.tenants as { orgId: string }[]).map((t) => t.orgId)).not.toContain(ids[0]);
  });

  it('without --json, bulk progress goes to stderr a line per step when stderr is not a terminal', async () => {
    const ids = [randomUUID(), randomUUID()];
    const csv = join(dir, 'progress.csv');
    writeFileSync(csv, `org_id,name\n${ids.map((id, i) => `${id},Progress ${i}`).join('\n')}\n`);
    expect((await tenants('import-csv', '--iso', isoPath, '--csv', csv)).code).toBe(0);
    const run = await runCli('tenants', 'create-cmks', '--iso', isoPath, '--all');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^2 CMK\(s\) created; 0 failed\.$/m);
    expect(run.stderr).not.toContain('\r');
    expect(run.stderr).toMatch(/^2 done, 0 failed, 0 remaining$/m);
  });

  it('revokes every removed tenant at once only with the typed "revoke <count>", as the Manage CMKs menu does', async () => {
    const ids: string[] = [randomUUID(), randomUUID(), randomUUID()];
    const csv = join(dir, 'bulk.csv');
    writeFileSync(csv, `org_id,name\n${ids.map((id, i) => `${id},Bulk ${i}`).join('\n')}\n`);
    expect((await tenants('import-csv', '--iso', isoPath, '--csv', csv)).code).toBe(0);
    expect((await tenants('create-cmks', '--iso', isoPath, '--all')).code).toBe(0);
    for (const id of ids.slice(0, 2))
      expect((await tenants('remove', '--iso', isoPath, '--org', id)).code).toBe(0);
    expect(await tenants('revoke', '--iso', isoPath, '--all-removed', '--confirm', 'revoke 3')).toMatchObject(
      {
        code: 1,
        json: {
          errors: [
            { code: 'TENANT_CONFIRMATION_MISMATCH', message: expect.stringMatching(/Type "revoke 2"/) },
          ],
        },
      },
    );
    expect(await tenants('revoke', '--iso', isoPath, '--all-removed', '--confirm', 'revoke 2')).toMatchObject(
      {
        code: 0,
        json: { ok: true, state: 'done', done: 2, failed: 0 },
      },
    );
    // None left: nothing to destroy, so no count to type — the run says so instead of "Type \"revoke 0\"".
    const none = await runCli(
      'tenants',
      'revoke',
      '--iso',
      isoPath,
      '--all-removed',
      '--confirm',
      'revoke 2',
    );
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/^No tenant is marked removed: there is no CMK to revoke\.$/m);
    const listed = (await tenants('list', '--iso', isoPath)).json.tenants as {
      orgId: string;
      status: string;
    }[];
    expect(listed.filter((t) => ids.includes(t.orgId))).toEqual([
      expect.objectContaining({ orgId: ids[2], status: 'managed' }),
    ]);
    const both = await runCli(
      'tenants',
      'revoke',
      '--iso',
      isoPath,
      '--org',
      ids[2]!,
      '--all-removed',
      '--confirm',
      'x',
    );
    expect(both.code).toBe(2);
  });

  it('refuses a name with an invisible character, in add and import-csv, with the line the record starts on', async () => {
    const added = await tenants('add', '--iso', isoPath, '--org', randomUUID(), '--name', 'Acme\u200BCorp');
    expect(added).toMatchObject({
      code: 1,
      json: {
        errors: [
          {
            code: 'INVALID_INPUT',
            field: 'name',
            message: expect.stringMatching(/U\+200B \(ZERO WIDTH SPACE\) at position 5/),
          },
        ],
      },
    });
    const csv = join(dir, 'multi-line.csv');
    writeFileSync(csv, `org_id,name\n${randomUUID()},"Widgets\n\u202Dover"\n`);
    const imported = await tenants('import-csv', '--iso', isoPath, '--csv', csv);
    expect(imported.code).toBe(1);
    expect((imported.json.errors as { message: string }[]).map((e) => e.message.slice(0, 7))).toEqual([
      'Line 2:',
    ]);
  });

  it('refuses an ISO that does not belong to the database with ISO_DB_MISMATCH', async () => {
    const result = await tenants('list', '--iso', otherIsoPath);
    expect(result.code).toBe(1);
    expect(result.json).toMatchObject({ ok: false, errors: [{ code: 'ISO_DB_MISMATCH' }] });
    expect(JSON.stringify(result.json)).toMatch(/use the ISO generated for it/);
  });

  it('reports every bad CSV line with its number and imports nothing', async () => {
    const csv = join(dir, 'bad.csv');
    writeFileSync(csv, `org_id,name\nnot-a-uuid,Acme\n${randomUUID()},\n`);
    const result = await tenants('import-csv', '--iso', isoPath, '--csv', csv);
    expect(result.code).toBe(1);
    const errors = result.json.errors as { code: string; message: string }[];
    expect(errors.map((e) => [e.code, e.message.slice(0, 7)])).toEqual([
      ['TENANT_CSV_INVALID', 'Line 2:'],
      ['TENANT_CSV_INVALID', 'Line 3:'],
    ]);
  });

  it('says plainly when a re-added org had a CMK revoked, and that its new CMK is the next key version', async () => {
    const id = randomUUID();
    expect((await tenants('add', '--iso', isoPath, '--org', id, '--name', 'Phoenix')).code).toBe(0);
    expect((await tenants('create-cmks', '--iso', isoPath, '--org', id)).code).toBe(0);
    expect((await tenants('remove', '--iso', isoPath, '--org', id)).code).toBe(0);
    // A removed org gets no CMK, and the refusal says what to do instead of a dead end.
    expect(await tenants('create-cmks', '--iso', isoPath, '--org', id)).toMatchObject({
      code: 1,
      json: {
        ok: false,
        errors: [
          {
            code: 'TENANT_STATE',
            message: expect.stringMatching(/keeps its current CMK until you revoke it/),
          },
        ],
      },
    });
    expect((await tenants('revoke', '--iso', isoPath, '--org', id, '--confirm', 'Phoenix')).code).toBe(0);
    const today = new Date().toISOString().slice(0, 10);

    const human = await runCli(
      'tenants',
      'add',
      '--iso',
      isoPath,
      '--org',
      id.toUpperCase(),
      '--name',
      'Phoenix',
    );
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`had a CMK revoked on ${today}`);
    expect(human.stdout).toContain('its new CMK will be key version 2');
    expect((await tenants('create-cmks', '--iso', isoPath, '--org', id)).code).toBe(0);
    const listed = (await tenants('list', '--iso', isoPath)).json.tenants as {
      orgId: string;
      keyVersion: number;
    }[];
    expect(listed.find((t) => t.orgId === id)).toMatchObject({ keyVersion: 2 });

    // Revoked a second time and re-imported from a CSV: the notice names key version 3.
    expect((await tenants('remove', '--iso', isoPath, '--org', id)).code).toBe(0);
    expect((await tenants('revoke', '--iso', isoPath, '--org', id, '--confirm', 'Phoenix')).code).toBe(0);
    const csv = join(dir, 'readd.csv');
    writeFileSync(csv, `org_id,name\n${id},Phoenix Reborn\n${randomUUID()},Newcomer\n`);
    const imported = await tenants('import-csv', '--iso', isoPath, '--csv', csv);
    expect(imported).toMatchObject({
      code: 0,
      json: {
        ok: true,
        added: 2,
        alreadyPresent: 0,
        previouslyRevoked: [
          {
            orgId: id,
            name: 'Phoenix Reborn',
            revokedAt: expect.stringMatching(new RegExp(`^${today}T`)),
            nextKeyVersion: 3,
          },
        ],
      },
    });
    const importedHuman = await runCli('tenants', 'list', '--iso', isoPath);
    expect(importedHuman.code).toBe(0);
    writeFileSync(csv, `org_id,name\n${randomUUID()},Another\n`);
    const plain = await tenants('import-csv', '--iso', isoPath, '--csv', csv);
    expect(plain.json).toMatchObject({ added: 1, previouslyRevoked: [] });
  });

  it('imports exactly what a CSV from a spreadsheet holds: BOM, CRLF or CR, reordered header, braced upper-case ids', async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()] as [string, string, string];
    const csv = join(dir, 'excel.csv');
    writeFileSync(
      csv,
      `\uFEFF Name , ORG_ID \r\n"Quote ""Q"", Inc.",{${a.toUpperCase()}}\r\n\r\nCR Org,${b}\r${`"Last"`},${c}`,
    );
    expect(await tenants('import-csv', '--iso', isoPath, '--csv', csv)).toMatchObject({
      code: 0,
      json: { ok: true, added: 3 },
    });
    const listed = (await tenants('list', '--iso', isoPath)).json.tenants as {
      orgId: string;
      name: string;
    }[];
    expect(listed.filter((t) => [a, b, c].includes(t.orgId)).map((t) => [t.orgId, t.name])).toEqual([
      [b, 'CR Org'],
      [c, 'Last'],
      [a, 'Quote "Q", Inc.'],
    ]);
  });

  it('refuses a file that is not UTF-8 (Latin-1) with the line of the first bad byte, importing nothing', async () => {
    const csv = join(dir, 'latin1.csv');
    const id = randomUUID();
    writeFileSync(
      csv,
      Buffer.from(`org_id,name\n${randomUUID()},Plain\n${id},Caf\xe9 M\xfcller\n`, 'latin1'),
    );
    const result = await tenants('import-csv', '--iso', isoPath, '--csv', csv);
    expect(result).toMatchObject({
      code: 1,
      json: {
        ok: false,
        errors: [
          { code: 'TENANT_CSV_INVALID', field: 'csv.3', message: expect.stringMatching(/^Line 3: .*UTF-8/) },
        ],
      },
    });
    const listed = (await tenants('list', '--iso', isoPath)).json.tenants as { name: string }[];
    expect(listed.map((t) => t.name)).not.toContain('Plain');
  });

  it('imports a 50 000-line CSV in one go', async () => {
    const ids = Array.from({ length: 50_000 }, () => randomUUID());
    const csv = join(dir, 'big.csv');
    writeFileSync(csv, `org_id,name\n${ids.map((id, i) => `${id},Big Tenant ${i}`).join('\n')}\n`);
    expect(await tenants('import-csv', '--iso', isoPath, '--csv', csv)).toMatchObject({
      code: 0,
      json: { ok: true, added: 50_000, alreadyPresent: 0 },
    });
  }, 60_000);

  it('revokes an org whose name came decomposed (NFD, as macOS writes it) when the admin types it composed', async () => {
    const id = randomUUID();
    const csv = join(dir, 'nfd.csv');
    writeFileSync(csv, `org_id,name\n${id},Cafe\u0301 Mu\u0308ller\n`);
    expect((await tenants('import-csv', '--iso', isoPath, '--csv', csv)).code).toBe(0);
    const listed = (await tenants('list', '--iso', isoPath)).json.tenants as {
      orgId: string;
      name: string;
    }[];
    expect(listed.find((t) => t.orgId === id)?.name).toBe('Café Müller');
    expect((await tenants('remove', '--iso', isoPath, '--org', id)).code).toBe(0);
    expect(await tenants('revoke', '--iso', isoPath, '--org', id, '--confirm', 'café müller')).toMatchObject({
      code: 1,
      json: { errors: [{ code: 'TENANT_CONFIRMATION_MISMATCH' }] },
    });
    expect(await tenants('revoke', '--iso', isoPath, '--org', id, '--confirm', 'Café Müller')).toMatchObject({
      code: 0,
      json: { ok: true, revoked: true },
    });
  });

  it('restores a tenant marked removed by mistake: its CMK kept, no longer among --all-removed; refusals say what to do', async () => {
    const [keyed, keyless, gone] = [randomUUID(), randomUUID(), randomUUID()];
    for (const [id, name] of [
      [keyed, 'Restore Me'],
      [keyless, 'No Key Yet'],
      [gone, 'Gone For Good'],
    ] as const)
      expect((await tenants('add', '--iso', isoPath, '--org', id, '--name', name)).code).toBe(0);
    for (const id of [keyed, gone])
      expect((await tenants('create-cmks', '--iso', isoPath, '--org', id)).code).toBe(0);
    for (const id of [keyed, keyless, gone])
      expect((await tenants('remove', '--iso', isoPath, '--org', id)).code).toBe(0);

    expect(await tenants('restore', '--iso', isoPath, '--org', keyed.toUpperCase())).toMatchObject({
      code: 0,
      json: { ok: true, orgId: keyed, name: 'Restore Me', status: 'managed', keyVersion: 1 },
    });
    const human = await runCli('tenants', 'restore', '--iso', isoPath, '--org', keyless);
    expect(human).toMatchObject({ code: 0, stderr: '' });
    expect(human.stdout).toBe(
      'No Key Yet is restored: CMK management pending (it had no CMK); create its CMK when ready.\n',
    );
    const listed = (await tenants('list', '--iso', isoPath)).json.tenants as TenantRow[];
    const statusOf = (id: string) => listed.find((t) => t.orgId === id)?.status;
    expect([statusOf(keyed), statusOf(keyless), statusOf(gone)]).toEqual([
      'managed',
      'pending',
      'removalPending',
    ]);
    // "revoke --all-removed" counts only the tenants still removed.
    const stillRemoved = listed.filter((t) => t.status === 'removalPending').length;
    expect(
      await tenants('revoke', '--iso', isoPath, '--all-removed', '--confirm', `revoke ${stillRemoved + 2}`),
    ).toMatchObject({
      code: 1,
      json: {
        errors: [
          {
            code: 'TENANT_CONFIRMATION_MISMATCH',
            message: expect.stringContaining(`"revoke ${stillRemoved}"`),
          },
        ],
      },
    });

    expect(await tenants('restore', '--iso', isoPath, '--org', keyed)).toMatchObject({
      code: 1,
      json: {
        ok: false,
        errors: [
          {
            code: 'TENANT_STATE',
            field: 'orgId',
            message: expect.stringMatching(
              /is not removed: it is listed as CMK managed\. Nothing to restore/,
            ),
          },
        ],
      },
    });
    expect(
      (await tenants('revoke', '--iso', isoPath, '--org', gone, '--confirm', 'Gone For Good')).code,
    ).toBe(0);
    expect(await tenants('restore', '--iso', isoPath, '--org', gone)).toMatchObject({
      code: 1,
      json: {
        errors: [
          {
            code: 'TENANT_STATE',
            message: expect.stringMatching(
              /was revoked on .*cannot be restored.*Add it again.*key version 2/,
            ),
          },
        ],
      },
    });
    const unknown = await runCli('tenants', 'restore', '--iso', isoPath, '--org', randomUUID());
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error TENANT_NOT_FOUND \(orgId\): There is no tenant with org id/);
    expect((await runCli('tenants', 'restore', '--iso', isoPath)).code).toBe(2);
    expect(await tenants('restore', '--iso', isoPath, '--org', 'not-an-org-id')).toMatchObject({
      code: 1,
      json: { errors: [{ code: 'INVALID_INPUT', field: 'org' }] },
    });
  });

  it('sends add, import-csv, remove and restore to syslog as audit lines; when syslog refuses, a SYSLOG_UNREACHABLE warning, exit 0, the change made', async () => {
    const [one, two, three] = [randomUUID(), randomUUID(), randomUUID()];
    expect(await tenants('add', '--iso', isoPath, '--org', one, '--name', 'Audited One')).toMatchObject({
      code: 0,
      json: { ok: true, warnings: [] },
    });
    await syslog.waitForMessage(new RegExp(`TENANT_ADD .*org ${one} to the tenant list: ok`));
    const csv = join(dir, 'audited.csv');
    writeFileSync(csv, `org_id,name\n${two},Audited Two\n${three},Audited Three\n`);
    expect(await tenants('import-csv', '--iso', isoPath, '--csv', csv)).toMatchObject({
      code: 0,
      json: { added: 2, warnings: [] },
    });
    for (const id of [two, three]) await syslog.waitForMessage(new RegExp(`TENANT_ADD .*${id}`));
    expect(await tenants('remove', '--iso', isoPath, '--org', one)).toMatchObject({
      code: 0,
      json: { warnings: [] },
    });
    await syslog.waitForMessage(
      new RegExp(`TENANT_REMOVE .*org ${one} removed from the cluster \\(no CMK\\): ok`),
    );
    expect(await tenants('restore', '--iso', isoPath, '--org', one)).toMatchObject({
      code: 0,
      json: { warnings: [] },
    });
    await syslog.waitForMessage(new RegExp(`TENANT_RESTORE .*org ${one} to the cluster \\(no CMK\\): ok`));

    const warning = {
      code: 'SYSLOG_UNREACHABLE',
      message: expect.stringMatching(
        /^The change is saved and recorded in the key database's audit log, but 1 audit line did not reach syslog at tcp:\/\/127\.0\.0\.1:\d+: .*refused the connection.* Check the syslog server, or the syslog settings this ISO was built with \(System logs page, or syslog: in the answers file\)\.$/,
      ),
    };
    expect(await tenants('remove', '--iso', deadSyslogIsoPath, '--org', two)).toMatchObject({
      code: 0,
      json: { ok: true, orgId: two, status: 'removalPending', warnings: [warning] },
    });
    const human = await runCli('tenants', 'restore', '--iso', deadSyslogIsoPath, '--org', two);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^Audited Two is restored/);
    expect(human.stderr).toMatch(
      /^warning SYSLOG_UNREACHABLE: The change is saved and recorded in the key database's audit log, but 1 audit line did not reach syslog at tcp:/,
    );
    const four = randomUUID();
    expect(
      await tenants('add', '--iso', deadSyslogIsoPath, '--org', four, '--name', 'Audited Four'),
    ).toMatchObject({
      code: 0,
      json: { warnings: [warning] },
    });
    const listed = (await tenants('list', '--iso', isoPath)).json.tenants as TenantRow[];
    expect(listed.filter((t) => t.orgId === two || t.orgId === four).map((t) => t.status)).toEqual([
      'pending',
      'pending',
    ]);
    expect(syslog.lines().join('\n')).not.toMatch(
      new RegExp(`(TENANT_REMOVE|TENANT_RESTORE) .*${two}|${four}`),
    );
  });

  it('says which name is kept when an org is added or imported again under another name', async () => {
    const id = randomUUID();
    expect((await tenants('add', '--iso', isoPath, '--org', id, '--name', 'Original Name')).code).toBe(0);
    expect(await tenants('add', '--iso', isoPath, '--org', id, '--name', 'New Name')).toMatchObject({
      code: 1,
      json: {
        errors: [
          {
            code: 'TENANT_EXISTS',
            field: 'orgId',
            message: `The organisation ${id} is already listed as Original Name; its name was not changed. Nothing was changed.`,
          },
        ],
      },
    });
    const csv = join(dir, 'renamed.csv');
    const other = randomUUID();
    writeFileSync(csv, `org_id,name\n${id},New Name\n${other},Brand New\n`);
    expect(await tenants('import-csv', '--iso', isoPath, '--csv', csv)).toMatchObject({
      code: 0,
      json: {
        ok: true,
        added: 1,
        alreadyPresent: 1,
        listedUnderOtherName: [{ orgId: id, name: 'New Name', listedAs: 'Original Name' }],
      },
    });
    const human = await runCli('tenants', 'import-csv', '--iso', isoPath, '--csv', csv);
    expect(human.stdout).toBe(
      `Imported 0 tenant(s); 2 were already listed.\nNew Name (${id}) is already listed as Original Name; its name was not changed.\n`,
    );
    const listed = (await tenants('list', '--iso', isoPath)).json.tenants as TenantRow[];
    expect(listed.find((t) => t.orgId === id)?.name).toBe('Original Name');
  });
});

interface TenantRow {
  orgId: string;
  name: string;
  status: string;
}
