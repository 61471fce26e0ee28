import type { SyslogSettings } from '../../../../contract/syslog.js';
import { sendSyslogMessage } from '../syslog/index.js';
import { describeAuditLine, type TenantAuditLine, type TenantAuditSender } from './tenant-audit.js';

// Lines of a bulk run go out a few at a time: fast enough for thousands, gentle on the receiver.
const PARALLEL_SENDS = 8;

/** Sends each CMK create/revoke to the configured syslog server as an RFC 5424 audit record. */
export function syslogAuditSender(settings: SyslogSettings, rootCaPem?: string): TenantAuditSender {
  const sendOne = (line: TenantAuditLine) =>
    sendSyslogMessage(
      settings,
      {
        msgId: line.action === 'create-cmk' ? 'CMK_CREATE' : 'CMK_REVOKE',
        message: describeAuditLine(line),
        structuredData: {
          'hdsAudit@32473': { org: line.orgId, keyVersion: String(line.keyVersion), outcome: line.outcome },
        },
        severity: 'notice',
      },
      rootCaPem,
      { udpWaitMs: 0 },
    );
  return async (lines) => {
    let next = 0;
    const worker = async () => {
      while (next < lines.length) await sendOne(lines[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_SENDS, lines.length) }, worker));
  };
}
