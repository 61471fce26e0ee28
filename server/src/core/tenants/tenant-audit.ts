import type { TenantAuditWarning } from '../../../../contract/tenants.js';

/**
 * The audit line every change to a tenant also sends to the configured syslog server, one per row of
 * the key database's audit log: a tenant added, marked removed or restored, a CMK created or revoked.
 * It names the org and what happened — never the org's name, never key material. The front door
 * supplies the sender (syslog settings live there); core only says what to send.
 */
export type TenantAuditLine =
  | {
      action: 'create-cmk' | 'revoke-cmk';
      orgId: string;
      keyVersion: number;
      outcome: 'ok' | 'failed';
    }
  | {
      action: 'add-tenant';
      orgId: string;
      /** The key version revoked before, when the org is added again after its CMK was revoked. */
      revokedKeyVersion?: number;
      outcome: 'ok' | 'failed';
    }
  | {
      action: 'remove-tenant' | 'restore-tenant';
      orgId: string;
      /** The CMK the tenant keeps (removing and restoring never touch it); absent when it has none. */
      keyVersion?: number;
      outcome: 'ok' | 'failed';
    };

/** Audit lines the syslog server did not take, and why (the transport's message). */
export interface AuditLinesNotSent {
  lines: number;
  reason: string;
}

export interface TenantAuditSender {
  /** Where the lines go (the syslog URL), named in the warning when they do not get there. */
  readonly destination: string;
  /** What the admin checks then, in the front door's words (the wizard: its System logs page). */
  readonly remedy: string;
  /** Sends the lines; resolves with those not sent, or undefined once all went out. */
  send(lines: TenantAuditLine[]): Promise<AuditLinesNotSent | undefined>;
}

/** RFC 5424 MSGID of each line (section 6.2.7: at most 32 printable characters). */
export const AUDIT_MSG_ID: Record<TenantAuditLine['action'], string> = {
  'add-tenant': 'TENANT_ADD',
  'remove-tenant': 'TENANT_REMOVE',
  'restore-tenant': 'TENANT_RESTORE',
  'create-cmk': 'CMK_CREATE',
  'revoke-cmk': 'CMK_REVOKE',
};

export function describeAuditLine(line: TenantAuditLine): string {
  const org = `org ${line.orgId}`;
  const kept = (keyVersion: number | undefined, verb: string) =>
    keyVersion === undefined ? 'no CMK' : `its CMK, key version ${keyVersion}, ${verb}`;
  const what = (() => {
    switch (line.action) {
      case 'create-cmk':
        return `created the CMK of ${org} (key version ${line.keyVersion})`;
      case 'revoke-cmk':
        return `revoked the CMK of ${org} (key version ${line.keyVersion})`;
      case 'add-tenant':
        return line.revokedKeyVersion === undefined
          ? `added ${org} to the tenant list`
          : `added ${org} to the tenant list again after its CMK (key version ${line.revokedKeyVersion}) was revoked`;
      case 'remove-tenant':
        return `marked ${org} removed from the cluster (${kept(line.keyVersion, 'stays until revoked')})`;
      case 'restore-tenant':
        return `restored ${org} to the cluster (${kept(line.keyVersion, 'was kept')})`;
    }
  })();
  return `hds-setup ${what}: ${line.outcome}`;
}

/** Structured data of a line (RFC 5424 section 6.3): the org, the key version when there is one, the outcome. */
export function auditStructuredData(line: TenantAuditLine): Record<string, string> {
  const params: Record<string, string> = { org: line.orgId };
  if (line.action === 'add-tenant') {
    if (line.revokedKeyVersion !== undefined) params.revokedKeyVersion = String(line.revokedKeyVersion);
  } else if (line.keyVersion !== undefined) params.keyVersion = String(line.keyVersion);
  params.outcome = line.outcome;
  return params;
}

/**
 * Sends audit lines after the change committed. A syslog failure never undoes the change: it comes
 * back as a warning (the database's audit log has the rows), which the front doors show.
 */
export async function sendTenantAudit(
  audit: TenantAuditSender | undefined,
  lines: TenantAuditLine[],
): Promise<TenantAuditWarning[]> {
  const tally = new AuditWarningTally();
  await tally.send(audit, lines);
  return tally.warnings();
}

/** Causes told apart before the rest are counted together: a flapping peer must not make a list. */
const MAX_CAUSES = 5;
const OTHER_CAUSES = 'other causes than the ones named above.';
/** Failing sends in one run may take this long before the rest of its lines are not tried. */
const FAILURE_BUDGET_MS = 15_000;

/**
 * Audit lines not sent, counted by cause: a bulk run sends after every transaction, and a syslog
 * server that is down would otherwise give one warning per tenant. One warning per cause, with its
 * count; it names the syslog URL and the cause, never an org (the lines themselves name them).
 */
export class AuditWarningTally {
  private readonly causes = new Map<string, { lines: number; destination: string; remedy: string }>();
  /** Time spent on sends that failed: a peer that drops packets costs a timeout on every send. */
  private failingMs = 0;
  private readonly failureBudgetMs: number;
  private readonly now: () => number;

  constructor(options: { failureBudgetMs?: number; now?: () => number } = {}) {
    this.failureBudgetMs = options.failureBudgetMs ?? FAILURE_BUDGET_MS;
    this.now = options.now ?? performance.now.bind(performance);
  }

  async send(audit: TenantAuditSender | undefined, lines: TenantAuditLine[]): Promise<void> {
    if (!audit || lines.length === 0) return;
    if (this.failingMs >= this.failureBudgetMs) {
      // A revoke-all sends after every tenant: against a silent peer, hundreds of timeouts in a row.
      this.count(audit, {
        lines: lines.length,
        reason: `earlier sends to it in this run failed for ${Math.round(this.failingMs / 1000)} s, so hds-setup stopped trying.`,
      });
      return;
    }
    const started = this.now();
    let notSent: AuditLinesNotSent | undefined;
    try {
      notSent = await audit.send(lines);
    } catch (error) {
      notSent = { lines: lines.length, reason: (error as Error).message || String(error) };
    }
    if (!notSent || notSent.lines === 0) return;
    this.failingMs += this.now() - started;
    this.count(audit, notSent);
  }

  private count(audit: TenantAuditSender, notSent: AuditLinesNotSent): void {
    const reason = /[.!?]$/.test(notSent.reason) ? notSent.reason : `${notSent.reason}.`;
    const key = this.causes.has(reason) || this.causes.size < MAX_CAUSES ? reason : OTHER_CAUSES;
    const cause = this.causes.get(key) ?? { lines: 0, destination: audit.destination, remedy: audit.remedy };
    cause.lines += notSent.lines;
    this.causes.set(key, cause);
  }

  warnings(): TenantAuditWarning[] {
    return [...this.causes].map(([reason, { lines, destination, remedy }]) => {
      const many = lines !== 1;
      return {
        code: 'SYSLOG_UNREACHABLE',
        lines,
        message: `The change${many ? 's are' : ' is'} saved and recorded in the key database's audit log, but ${lines} audit line${many ? 's' : ''} did not reach syslog at ${destination}: ${reason} ${remedy}`,
      };
    });
  }
}
