import type { TenantAuditWarning } from '../../../../contract/tenants';
import { Callout } from '../../components/Callout';
import { ErrorCode } from '../../components/ErrorCode';

/**
 * Audit lines of a tenant action that did not reach syslog. The change stands (the key database's
 * audit log has it), so this is a status beside the outcome, never a refusal: each warning names the
 * syslog URL, the cause and the count, with its code in small type as other messages have it.
 */
export function SyslogAuditWarnings({ warnings }: { warnings: readonly TenantAuditWarning[] }) {
  if (warnings.length === 0) return null;
  return (
    <Callout tone="warning" title="Audit lines not sent to syslog" role="status">
      <ul className="tenants-syslog-warnings">
        {warnings.map((w) => (
          <li key={w.message}>
            {w.message}
            <ErrorCode code={w.code} />
          </li>
        ))}
      </ul>
    </Callout>
  );
}
