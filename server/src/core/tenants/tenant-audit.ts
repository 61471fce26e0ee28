/**
 * The audit line every CMK create and revoke also sends to the configured syslog server. It names
 * the org and what happened — never key material. The front door supplies the sender (syslog
 * settings live there); core only says what to send.
 */
export interface TenantAuditLine {
  action: 'create-cmk' | 'revoke-cmk';
  orgId: string;
  keyVersion: number;
  outcome: 'ok' | 'failed';
}

export type TenantAuditSender = (lines: TenantAuditLine[]) => Promise<void>;

export function describeAuditLine(line: TenantAuditLine): string {
  const verb = line.action === 'create-cmk' ? 'created' : 'revoked';
  return `hds-setup ${verb} the CMK of org ${line.orgId} (key version ${line.keyVersion}): ${line.outcome}`;
}
