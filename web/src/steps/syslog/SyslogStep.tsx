import { type FormEvent, useEffect, useState } from 'react';
import type { ErrorDetail } from '../../../../contract/hds-error';
import type {
  SyslogLastTest,
  SyslogRequest,
  SyslogRootCaView,
  SyslogTermination,
  SyslogTestReport,
  SyslogTestResponse,
  SyslogView,
} from '../../../../contract/syslog';
import { ApiError, api, fileToBase64 } from '../../api/client';
import { Callout } from '../../components/Callout';
import { ErrorSummary } from '../../components/ErrorSummary';
import { errorFieldsAttribute, errorsFor, Field } from '../../components/Field';
import { FileInput } from '../../components/FileInput';
import { useFocusOn } from '../../components/focus';
import { PageHeader } from '../../components/PageHeader';
import type { StepProps } from '../step-id';
import { SyslogLastTestNote, SyslogTestOutcome } from './SyslogTestOutcome';

const TERMINATIONS: { value: SyslogTermination; label: string }[] = [
  { value: 'null', label: 'Null byte — \\x00' },
  { value: 'newline', label: 'Newline — \\n' },
];

/**
 * Identifies the settings a test is about. A newly chosen CA file counts as a change, but only with
 * TLS on: without TLS it is not sent.
 */
function settingsKeyOf(url: string, tls: boolean, termination: SyslogTermination, caFile?: File): string {
  return JSON.stringify([
    url.trim(),
    tls,
    termination,
    tls && caFile ? [caFile.name, caFile.size, caFile.lastModified] : null,
  ]);
}

function errorsOf(e: unknown): ErrorDetail[] {
  return e instanceof ApiError
    ? e.errors
    : [{ code: 'INTERNAL', message: 'Something went wrong. Try again.' }];
}

/**
 * Page 6. Where every node sends its logs. *Send test message* checks the settings from this
 * machine; the admin may continue without a successful test (the nodes' network may differ).
 */
function SyslogStep({ onContinue }: StepProps) {
  const [url, setUrl] = useState('');
  const [tls, setTls] = useState(false);
  const [termination, setTermination] = useState<SyslogTermination>('null');
  const [caFile, setCaFile] = useState<File>();
  const [rootCa, setRootCa] = useState<SyslogRootCaView>();
  const [lastTest, setLastTest] = useState<SyslogLastTest>();
  const [report, setReport] = useState<SyslogTestReport>();
  const [errors, setErrors] = useState<ErrorDetail[]>([]);
  const [testFailed, setTestFailed] = useState(false);
  const [busy, setBusy] = useState<'test' | 'save'>();
  // A test's report takes the focus when it arrives (a failure focuses the error summary instead).
  const reportRef = useFocusOn<HTMLDivElement>(report);
  // The settings a test outcome on screen (report or errors) is about, and those the server's last
  // test was about: an outcome never stays beside settings it did not test.
  const settingsKey = settingsKeyOf(url, tls, termination, caFile);
  const [testedWith, setTestedWith] = useState<string>();
  const [savedWith, setSavedWith] = useState<string>();

  /**
   * What the server keeps: the settings last saved (a test saves them too) and the test of exactly
   * those. `sent` is what this page sent: when the server took it, its CA file is the one it holds.
   */
  const keepSaved = (view: SyslogView, sent?: { key: string; withoutCa: string }) => {
    const held = view.settings
      ? settingsKeyOf(view.settings.url, view.settings.tls, view.settings.termination)
      : undefined;
    setSavedWith(sent && held === sent.withoutCa ? sent.key : held);
    setRootCa(view.rootCa);
    setLastTest(view.lastTest);
  };
  const sentNow = () => ({ key: settingsKey, withoutCa: settingsKeyOf(url, tls, termination) });

  useEffect(() => {
    api<SyslogView>('GET', '/syslog')
      .then((view) => {
        if (view.settings) {
          setUrl(view.settings.url);
          setTls(view.settings.tls);
          setTermination(view.settings.termination);
        }
        keepSaved(view);
      })
      .catch((e) => setErrors(errorsOf(e)));
  }, []);

  // Settings changed after a test (or while it ran): its outcome says nothing about them any more.
  useEffect(() => {
    if (testedWith === undefined || testedWith === settingsKey) return;
    setReport(undefined);
    setErrors([]);
    setTestFailed(false);
    setTestedWith(undefined);
  }, [settingsKey, testedWith]);

  async function request(): Promise<SyslogRequest> {
    return { url, tls, termination, ...(tls && caFile ? { rootCaBase64: await fileToBase64(caFile) } : {}) };
  }

  async function sendTest() {
    const tested = settingsKey;
    const sent = sentNow();
    setBusy('test');
    setReport(undefined);
    setTestFailed(false);
    setErrors([]);
    try {
      const answer = await api<SyslogTestResponse>('POST', '/syslog/test', await request());
      setReport(answer.report);
      setErrors([]);
    } catch (e) {
      setErrors(errorsOf(e));
      setTestFailed(
        e instanceof ApiError && e.errors.some((x) => /^SYSLOG_(HOST|UNREACH|TLS_F|TIMEOUT)/.test(x.code)),
      );
    } finally {
      setTestedWith(tested);
      setBusy(undefined);
      // The server recorded this test as the last one: shown once its outcome leaves the screen.
      await api<SyslogView>('GET', '/syslog')
        .then((view) => keepSaved(view, sent))
        .catch(() => undefined);
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy('save');
    setErrors([]);
    const sent = sentNow();
    try {
      const view = await api<SyslogView>('PUT', '/syslog', await request());
      keepSaved(view, sent);
      setErrors([]);
      // Back on this page later, the last-test line tells what the outcome on screen told.
      setReport(undefined);
      setTestedWith(undefined);
      onContinue();
    } catch (e) {
      setErrors(errorsOf(e));
      setTestFailed(false);
    } finally {
      setBusy(undefined);
    }
  }

  const tlsErrors = errorsFor(errors, 'tls');
  const terminationErrors = errorsFor(errors, 'termination');

  return (
    <section>
      <PageHeader title="System logs">
        Every node logs its key requests to one syslog server; you will watch those logs to check the
        deployment. Give the server's address, then send a test message to it.
      </PageHeader>
      <ErrorSummary
        errors={errors}
        title={testFailed ? 'The test message could not be sent' : 'Please fix the following'}
      />
      {testFailed && (
        <Callout tone="info">
          You can still continue: the nodes may reach the syslog server from their network even if this
          machine cannot.
        </Callout>
      )}
      {report && <SyslogTestOutcome report={report} ref={reportRef} />}

      <form onSubmit={submit} noValidate>
        <div className="card">
          <Field
            label="Syslogd URL"
            hint="udp://host:port or tcp://host:port — for example udp://10.0.0.5:514. The port defaults to 514; write IPv6 addresses in brackets."
            errors={errorsFor(errors, 'url')}
          >
            <input
              type="text"
              value={url}
              spellCheck={false}
              autoComplete="off"
              onChange={(e) => setUrl(e.target.value)}
            />
          </Field>

          <fieldset aria-describedby={tlsErrors.length ? 'syslog-tls-error' : 'syslog-tls-hint'}>
            <legend>Is your server configured for TLS?</legend>
            <p className="field-hint" id="syslog-tls-hint">
              Only over TCP (a tcp:// URL).
            </p>
            {[
              { value: false, label: 'No' },
              { value: true, label: 'Yes' },
            ].map((choice) => (
              <div className="choice" key={choice.label}>
                <input
                  type="radio"
                  id={`syslog-tls-${choice.label}`}
                  name="syslog-tls"
                  checked={tls === choice.value}
                  aria-invalid={tlsErrors.length > 0}
                  data-error-fields={tls === choice.value ? errorFieldsAttribute(tlsErrors) : undefined}
                  onChange={() => setTls(choice.value)}
                />
                <label htmlFor={`syslog-tls-${choice.label}`}>{choice.label}</label>
              </div>
            ))}
            {tlsErrors.length > 0 && (
              <p className="field-error" id="syslog-tls-error">
                {tlsErrors.map((e) => e.message).join(' ')}
              </p>
            )}
          </fieldset>

          {tls && (
            <Field
              label="Syslog server root CA certificate"
              hint={
                rootCa
                  ? `Uploaded: ${rootCa.subjects.join('; ')}. Choose another file to replace it.`
                  : 'The CA that issued the syslog server’s certificate (PEM or DER). Not needed if a public CA issued it.'
              }
              errors={errorsFor(errors, 'rootCa')}
            >
              <FileInput accept=".pem,.crt,.cer,.der" fileName={caFile?.name ?? null} onFile={setCaFile} />
            </Field>
          )}

          <fieldset
            aria-describedby={
              terminationErrors.length ? 'syslog-termination-error' : 'syslog-termination-hint'
            }
          >
            <legend>Record termination</legend>
            <p className="field-hint" id="syslog-termination-hint">
              The byte that ends each record over TCP. Choose Newline for Graylog and for rsyslog over TCP.
            </p>
            {TERMINATIONS.map((choice) => (
              <div className="choice" key={choice.value}>
                <input
                  type="radio"
                  id={`syslog-termination-${choice.value}`}
                  name="syslog-termination"
                  checked={termination === choice.value}
                  aria-invalid={terminationErrors.length > 0}
                  data-error-fields={
                    termination === choice.value ? errorFieldsAttribute(terminationErrors) : undefined
                  }
                  onChange={() => setTermination(choice.value)}
                />
                <label htmlFor={`syslog-termination-${choice.value}`}>{choice.label}</label>
              </div>
            ))}
            {terminationErrors.length > 0 && (
              <p className="field-error" id="syslog-termination-error">
                {terminationErrors.map((e) => e.message).join(' ')}
              </p>
            )}
          </fieldset>
          {lastTest && testedWith === undefined && savedWith === settingsKey && (
            <SyslogLastTestNote lastTest={lastTest} />
          )}
        </div>

        <div className="actions">
          <button type="button" className="button" onClick={sendTest} disabled={busy !== undefined}>
            {busy === 'test' ? 'Sending…' : 'Send test message'}
          </button>
          <button type="submit" className="button button-primary" disabled={busy !== undefined}>
            Continue
          </button>
        </div>
      </form>
    </section>
  );
}

export default SyslogStep;
