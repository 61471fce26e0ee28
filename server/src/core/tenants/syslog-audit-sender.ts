import type { SyslogSettings } from '../../../../contract/syslog.js';
import { sendSyslogMessages } from '../syslog/index.js';
import {
  AUDIT_MSG_ID,
  auditStructuredData,
  describeAuditLine,
  type TenantAuditSender,
} from './tenant-audit.js';

// Lines per UDP socket or TCP/TLS connection: a bulk run of thousands opens a handful, not thousands.
const LINES_PER_CONNECTION = 1000;

/**
 * Sends each tenant change (add, remove, restore, CMK create/revoke) to syslog as an RFC 5424 audit
 * record. `remedy` is what the admin checks when lines do not get there, in the front door's words.
 */
export function syslogAuditSender(
  settings: SyslogSettings,
  rootCaPem: string | undefined,
  remedy: string,
): TenantAuditSender {
  return {
    destination: settings.url,
    remedy,
    send: async (lines) => {
      // The first failure ends the run: the lines from that connection on are the ones not sent.
      for (let first = 0; first < lines.length; first += LINES_PER_CONNECTION)
        try {
          await sendSyslogMessages(
            settings,
            lines.slice(first, first + LINES_PER_CONNECTION).map((line) => ({
              msgId: AUDIT_MSG_ID[line.action],
              message: describeAuditLine(line),
              structuredData: { 'hdsAudit@32473': auditStructuredData(line) },
              severity: 'notice' as const,
            })),
            rootCaPem,
            { udpWaitMs: 0 },
          );
        } catch (error) {
          return { lines: lines.length - first, reason: (error as Error).message };
        }
      return undefined;
    },
  };
}
