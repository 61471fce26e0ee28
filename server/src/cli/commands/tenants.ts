import type { Command } from 'commander';
import { HdsError } from '../../../../contract/hds-error.js';
import { parseInput } from '../../../../contract/parse-input.js';
import type { TenantAuditWarning } from '../../../../contract/tenants.js';
import { readNamedFile } from '../../core/answers/unreadable-file.js';
import type { BulkOutcome } from '../../core/tenants/index.js';
import { type CommandResult, runCommand, UsageError } from '../output.js';
import type {
  TenantCommandOptions,
  withTenantDatabase as WithTenantDatabase,
} from '../tenants/tenant-session.js';
import type { RegisterCommand } from './index.js';

type Action = (
  options: TenantCommandOptions & Record<string, string | boolean | undefined>,
) => Promise<CommandResult>;

/**
 * `hds-setup tenants list|add|import-csv|create-cmks|remove|restore|revoke --iso <file.iso> [--answers <a.yaml>]`:
 * the Tenant CMK Management tab from a terminal, with the same checks and error codes.
 */
export const registerTenants: RegisterCommand = (program: Command, setExit) => {
  const tenants = program
    .command('tenants')
    .description('tenant organisations and their CMKs in the key database');
  const run =
    (action: Action) => async (opts: TenantCommandOptions & Record<string, string | boolean | undefined>) =>
      setExit(await runCommand(Boolean(opts.json), () => action(opts)));
  // Commander takes a subcommand's own options after its action too.
  const command = (name: string, description: string, action: Action) =>
    tenants
      .command(name)
      .description(description)
      .requiredOption('--iso <file.iso>', 'the current configuration ISO (its master key wraps the CMKs)')
      .option(
        '--answers <answers.yaml>',
        'take the database: section (e.g. a new password) from an answers file',
      )
      .option(
        '--accept-empty-database',
        "the ISO's database is empty and it is the right one: bind it to the ISO's master key (audited)",
      )
      .option('--json', 'print one JSON object')
      .action(run(action));

  command('list', 'list the tenants and their CMK status', listAction);
  command('add', 'add one tenant organisation', addAction)
    .requiredOption('--org <org-id>', 'the org id (UUID) from Partner Hub')
    .requiredOption('--name <name>', "the organisation's name");
  command(
    'import-csv',
    'add tenants from a CSV file (header org_id,name); all or nothing',
    importAction,
  ).requiredOption('--csv <file.csv>', 'the CSV file');
  command('create-cmks', 'create the CMK of every pending tenant (--all) or of one (--org)', createAction)
    .option('--all', 'every tenant with status "CMK management pending"')
    .option('--org <org-id>', 'one tenant');
  command(
    'remove',
    'mark a tenant removed from the cluster (its CMK stays until revoked)',
    removeAction,
  ).requiredOption('--org <org-id>', 'the org id');
  command(
    'restore',
    'undo remove: a tenant marked removed is active again, its CMK untouched (a revoked one is added again instead)',
    restoreAction,
  ).requiredOption('--org <org-id>', 'the org id');
  command(
    'revoke',
    "delete a removed tenant's CMK (--org), or every removed tenant's (--all-removed), for good (irreversible)",
    revokeAction,
  )
    .option('--org <org-id>', 'the org id')
    .option('--all-removed', 'every tenant marked removed (the Manage CMKs menu\'s "revoke all removed")')
    .requiredOption(
      '--confirm <text>',
      'to confirm: the organisation\'s name typed exactly, or "revoke <count>" with --all-removed',
    );
};

// The tenant code, its zod schemas and the database drivers load only when a tenants command runs:
// the CLI starts faster.
const tenantCode = () => import('../../core/tenants/index.js');
const schemas = () => import('../../../../contract/tenants.js');
const withTenantDatabase: typeof WithTenantDatabase = async (options, work) =>
  (await import('../tenants/tenant-session.js')).withTenantDatabase(options, work);

const listAction: Action = async (opts) => {
  const [{ listTenants }, { TENANT_STATUS_LABEL }] = await Promise.all([tenantCode(), schemas()]);
  return withTenantDatabase(opts, async ({ db }) => {
    const tenants = await listTenants(db);
    const human = tenants.length
      ? tenants.map((t) => `${t.orgId}  ${TENANT_STATUS_LABEL[t.status].padEnd(30)}  ${t.name}`).join('\n')
      : `No tenants in the key database at ${db.where}. Add them with hds-setup tenants add or import-csv.`;
    return { data: { database: db.where, tenants }, human };
  });
};

const addAction: Action = async (opts) => {
  const [{ addTenant }, { addTenantRequestSchema, previouslyRevokedNotice }] = await Promise.all([
    tenantCode(),
    schemas(),
  ]);
  const tenant = parseInput(addTenantRequestSchema, { orgId: opts.org, name: opts.name });
  return withTenantDatabase(opts, async ({ db, audit }) => {
    const { previouslyRevoked, auditWarnings } = await addTenant(db, tenant, new Date(), { audit });
    const added = `Added ${tenant.name} (${tenant.orgId}): CMK management pending.`;
    return {
      data: { added: tenant, ...(previouslyRevoked ? { previouslyRevoked } : {}) },
      human: previouslyRevoked ? `${added}\n${previouslyRevokedNotice(previouslyRevoked)}` : added,
      warnings: syslogWarnings(auditWarnings),
    };
  });
};

const importAction: Action = async (opts) => {
  const [
    { addTenants, parseTenantCsv },
    { TENANT_CSV_MAX_BYTES, alreadyListedNotice, previouslyRevokedNotice },
  ] = await Promise.all([tenantCode(), schemas()]);
  const path = String(opts.csv);
  const text = readNamedFile(
    { path, what: 'the CSV file', field: 'csv' },
    TENANT_CSV_MAX_BYTES,
    (reason) =>
      new HdsError('TENANT_CSV_INVALID', `${path} is ${reason}; split it into smaller files.`, 'csv'),
  );
  const list = parseTenantCsv(text);
  return withTenantDatabase(opts, async ({ db, audit }) => {
    const { auditWarnings, ...result } = await addTenants(db, list, new Date(), { audit });
    return {
      warnings: syslogWarnings(auditWarnings),
      data: { ...result },
      human: [
        `Imported ${result.added} tenant(s); ${result.alreadyPresent} were already listed.`,
        ...result.previouslyRevoked.map(previouslyRevokedNotice),
        ...result.listedUnderOtherName.map(alreadyListedNotice),
      ].join('\n'),
    };
  });
};

const createAction: Action = async (opts) => {
  if (Boolean(opts.all) === Boolean(opts.org)) throw new UsageError('give either --all or --org <org-id>.');
  const [{ createCmks, findTenant, pendingTenantIds }, { orgIdSchema }] = await Promise.all([
    tenantCode(),
    schemas(),
  ]);
  const one = opts.org ? parseInput(orgIdSchema, opts.org, 'org') : undefined;
  return withTenantDatabase(opts, async ({ db, masterKey, audit }) => {
    const orgIds = one ? [(await findTenant(db, one)).orgId] : await pendingTenantIds(db);
    const outcome = await createCmks(db, masterKey, orgIds, {
      audit,
      onProgress: (p) => {
        if (!opts.json) printProgress(p);
      },
    });
    if (!opts.json && orgIds.length && process.stderr.isTTY) process.stderr.write('\n');
    return bulkResult(outcome, 'created');
  });
};

/**
 * Bulk progress on stderr: one line updated in place on a terminal; in a log or a pipe (cron, CI)
 * a line per step, since carriage returns would run every step into one line.
 */
function printProgress(p: { done: number; failed: number; remaining: number }): void {
  const text = `${p.done} done, ${p.failed} failed, ${p.remaining} remaining`;
  process.stderr.write(process.stderr.isTTY ? `\r${text}` : `${text}\n`);
}

function bulkResult(outcome: BulkOutcome, verb: string): CommandResult {
  const { warnings, ...data } = outcome;
  if (outcome.state === 'failed' && outcome.error)
    throw new HdsError(
      outcome.error.code as HdsError['code'],
      `${outcome.error.message} (${outcome.done} done, ${outcome.remaining} left untouched.)`,
    );
  if (outcome.failures.length)
    throw new HdsError(
      outcome.failures[0]!.code as HdsError['code'],
      `${outcome.done} CMK(s) ${verb}; ${outcome.failed} failed: ${outcome.failures
        .slice(0, 20)
        .map((f) => `${f.orgId} ${f.code}`)
        .join(', ')}. ${outcome.failures[0]!.message}`,
    );
  return {
    data: { ...data },
    human: `${outcome.done} CMK(s) ${verb}; ${outcome.failed} failed.`,
    warnings: syslogWarnings(warnings),
  };
}

/** Audit lines syslog did not take: the change stands (the database's audit log has it), so exit 0. */
function syslogWarnings(auditWarnings: TenantAuditWarning[]): CommandResult['warnings'] {
  return auditWarnings.map(({ code, message }) => ({ code, message }));
}

const removeAction: Action = async (opts) => {
  const [{ markTenantRemoved }, { orgIdSchema }] = await Promise.all([tenantCode(), schemas()]);
  const orgId = parseInput(orgIdSchema, opts.org, 'org');
  return withTenantDatabase(opts, async ({ db, audit }) => {
    const { auditWarnings } = await markTenantRemoved(db, orgId, new Date(), { audit });
    return {
      warnings: syslogWarnings(auditWarnings),
      data: { orgId, status: 'removalPending' },
      human: `Marked ${orgId} removed: revocation pending. Revoke its CMK with hds-setup tenants revoke --org ${orgId} --confirm <org name>; removed by mistake, bring it back with hds-setup tenants restore --org ${orgId}.`,
    };
  });
};

const restoreAction: Action = async (opts) => {
  const [{ restoreTenant }, { orgIdSchema, restoredNotice }] = await Promise.all([tenantCode(), schemas()]);
  const orgId = parseInput(orgIdSchema, opts.org, 'org');
  return withTenantDatabase(opts, async ({ db, audit }) => {
    const { restored, auditWarnings } = await restoreTenant(db, orgId, new Date(), { audit });
    return {
      warnings: syslogWarnings(auditWarnings),
      data: {
        orgId,
        name: restored.name,
        status: restored.status,
        ...(restored.keyVersion ? { keyVersion: restored.keyVersion } : {}),
      },
      human: restoredNotice(restored),
    };
  });
};

const revokeAction: Action = async (opts) => {
  if (Boolean(opts.allRemoved) === Boolean(opts.org))
    throw new UsageError('give either --org <org-id> or --all-removed.');
  if (opts.allRemoved) return revokeAllRemoved(opts);
  const [{ revokeTenantCmk }, { orgIdSchema }] = await Promise.all([tenantCode(), schemas()]);
  const orgId = parseInput(orgIdSchema, opts.org, 'org');
  return withTenantDatabase(opts, async ({ db, audit }) => {
    const { auditWarnings } = await revokeTenantCmk(db, orgId, String(opts.confirm), { audit });
    return {
      data: { orgId, revoked: true },
      human: `Revoked the CMK of ${orgId}; its content can no longer be decrypted. The audit log records it.`,
      warnings: syslogWarnings(auditWarnings),
    };
  });
};

/** The Manage CMKs menu's "revoke all removed": the typed `revoke <count>` guards it as in the wizard. */
async function revokeAllRemoved(opts: Parameters<Action>[0]): Promise<CommandResult> {
  const { revokeRemovedCmks } = await tenantCode();
  return withTenantDatabase(opts, async ({ db, audit }) => {
    const outcome = await revokeRemovedCmks(db, String(opts.confirm), {
      audit,
      onProgress: (p) => {
        if (!opts.json) printProgress(p);
      },
    });
    if (!opts.json && outcome.done + outcome.failed > 0 && process.stderr.isTTY) process.stderr.write('\n');
    const result = bulkResult(outcome, 'revoked');
    return outcome.total === 0
      ? { ...result, human: 'No tenant is marked removed: there is no CMK to revoke.' }
      : result;
  });
}
