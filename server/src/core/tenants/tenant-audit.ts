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

export type TenantAuditSender = (lines: TenantAuditLine[]) => Promise<void>;

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
): Promise<string[]> {
  if (!audit || lines.length === 0) return [];
  try {
    await audit(lines);
    return [];
  } catch (error) {
    return [
      `The syslog audit line for ${lines.length} tenant(s) could not be sent (${(error as Error).message}); the key database's audit log has them.`,
    ];
  }
}
