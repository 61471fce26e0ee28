import type { SyslogLastTest, SyslogTestReport } from '../../../../contract/syslog';
import { Callout } from '../../components/Callout';

/** What *Send test message* could confirm, step by step, with the id to look for in the logs. */
export function SyslogTestOutcome({ report }: { report: SyslogTestReport }) {
  return (
    <Callout
      tone="success"
      title={report.delivery === 'sent' ? 'Test message sent' : 'Test message delivered'}
    >
      <p>
        Message id <code className="mono">{report.msgId}</code> — {report.summary}
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
