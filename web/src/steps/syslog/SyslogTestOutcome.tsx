import { Fragment, type Ref } from 'react';
import type { SyslogLastTest, SyslogTestReport } from '../../../../contract/syslog';
import { Callout } from '../../components/Callout';

/**
 * What *Send test message* could confirm, step by step, with the id to look for in the logs. Over
 * UDP nothing comes back, so a sent message is reported as information, not as a success; so is
 * a TCP/TLS write the peer did not acknowledge by closing its side.
 */
export function SyslogTestOutcome({ report, ref }: { report: SyslogTestReport; ref?: Ref<HTMLDivElement> }) {
  // Written over TCP/TLS but the peer did not close after us as a syslog server does: unconfirmed.
  const delivered = report.delivery !== 'sent' && report.closedByServer !== false;
  return (
    <Callout
      tone={delivered ? 'success' : 'info'}
      title={
        delivered
          ? 'Test message delivered'
          : report.delivery === 'sent'
            ? 'Test message sent'
            : 'Test message written'
      }
      ref={ref}
      role="status"
    >
      <p>
        {/* The summary usually names the message id already: say it once, set as code. */}
        {report.summary.includes(report.msgId) ? (
          report.summary.split(report.msgId).map((part, i) => (
            <Fragment key={i}>
              {i > 0 && <code className="mono">{report.msgId}</code>}
              {part}
            </Fragment>
          ))
        ) : (
          <>
            Message id <code className="mono">{report.msgId}</code> — {report.summary}
          </>
        )}
      </p>
      <ul className="syslog-confirmed">
        {report.confirmed.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
    </Callout>
  );
}

/** The test run before the page was left: shown when the admin comes back. */
export function SyslogLastTestNote({ lastTest }: { lastTest: SyslogLastTest }) {
  return (
    <p className="muted">
      Last test {new Date(lastTest.at).toLocaleString()}: {lastTest.ok ? 'sent' : `failed (${lastTest.code})`}{' '}
      — message id <code className="mono">{lastTest.msgId}</code>.
    </p>
  );
}
