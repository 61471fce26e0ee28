import { randomBytes } from 'node:crypto';
import type { SyslogSettings, SyslogTestReport } from '../../../../contract/syslog.js';
import { type SyslogSendOptions, sendSyslogMessage } from './send-syslog-message.js';

/** A fresh id per test, short enough for MSGID (≤ 32 characters, RFC 5424 section 6.2.7). */
export function newTestMessageId(): string {
  return `HDSTEST-${randomBytes(6).toString('hex').toUpperCase()}`;
}

/**
 * *Send test message*: one notice from hds-setup whose MSGID (also in the text) the admin can
 * search for on the syslog server. Reports what could be confirmed; failures throw coded errors.
 */
export async function sendSyslogTestMessage(
  settings: SyslogSettings,
  rootCaPem?: string,
  options: SyslogSendOptions & { msgId?: string } = {},
): Promise<SyslogTestReport> {
  const msgId = options.msgId ?? newTestMessageId();
  const delivery = await sendSyslogMessage(
    settings,
    {
      msgId,
      severity: 'notice',
      message: `Test message ${msgId} from the HDS Setup tool: the Hybrid Data Security nodes will log to ${settings.url} with these settings.`,
    },
    rootCaPem,
    { lingerMs: 300, ...options },
  );
  const summary =
    delivery.delivery === 'sent'
      ? `Sent; check your syslog server for message ${msgId}. (UDP cannot confirm delivery.)`
      : delivery.closedByServer === false
        ? `Written to ${delivery.target} over ${delivery.transport === 'tls' ? 'TLS' : 'TCP'}, but hds-setup could not confirm that a syslog server received it; check your syslog server for message ${msgId}, and the port if it is not there.`
        : `Delivered to ${delivery.target} over ${delivery.transport === 'tls' ? 'TLS' : 'TCP'}; check your syslog server for message ${msgId}.`;
  return { msgId, ...delivery, summary };
}
