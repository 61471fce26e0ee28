import { type FormEvent, useEffect, useState } from 'react';
import type { CertificateStatus, CertificateView } from '../../../../contract/certificate';
import type { ErrorDetail } from '../../../../contract/hds-error';
import { ApiError } from '../../api/client';
import { Callout } from '../../components/Callout';
import { Disclosure } from '../../components/Disclosure';
import { ErrorCode } from '../../components/ErrorCode';
import { errorsFor, Field } from '../../components/Field';
import { useFocusOn } from '../../components/focus';
import { PageHeader } from '../../components/PageHeader';
import type { StepProps } from '../step-id';
import { CertificateDetails } from './CertificateDetails';
import { CsrFlow } from './CsrFlow';
import { backupPkcs12, getCertificate, saveFile } from './certificate-api';
import { Pkcs12Upload } from './Pkcs12Upload';

type Method = 'upload' | 'csr';

function CertificateStep({ onContinue }: StepProps) {
  const [status, setStatus] = useState<CertificateStatus | undefined>();
  const [accepted, setAccepted] = useState<CertificateView | undefined>();
  const [replacing, setReplacing] = useState(false);
  const [method, setMethod] = useState<Method>('upload');
  const [acknowledged, setAcknowledged] = useState(false);
  /** Counts certificates checked on this page: each outcome takes the focus (screen readers read it). */
  const [checked, setChecked] = useState(0);
  const outcomeRef = useFocusOn<HTMLDivElement>(checked);
  // "Replace" / "No, use a new certificate" removes the button pressed: the choice below takes the focus.
  const methodRef = useFocusOn<HTMLFieldSetElement>(replacing);

  useEffect(() => {
    void getCertificate().then((s) => {
      setStatus(s);
      setAccepted(s.certificate);
      if (s.csr) setMethod('csr');
    });
  }, []);

  if (!status) return <p className="muted">Loading…</p>;

  const showForms = !accepted || replacing;
  const askImported = accepted?.source === 'imported' && !replacing;
  const accept = (view: CertificateView) => {
    setAccepted(view);
    setReplacing(false);
    setAcknowledged(false);
    setChecked((n) => n + 1);
  };
  const needsAcknowledgment = Boolean(accepted && accepted.warnings.length > 0 && !acknowledged);

  return (
    <section aria-label="Certificate">
      <PageHeader title="Certificate">
        The TLS certificate every key server of the cluster presents. It needs one common name (no wildcard),
        a chain to a publicly trusted CA, SHA-256 or stronger signatures, and an RSA 2048+ or EC P-256/P-384
        key.
      </PageHeader>

      {askImported && accepted && (
        <div className="card">
          <h2>Continue using the certificate chain and private key from the previous ISO?</h2>
          <CertificateDetails summary={accepted.summary} />
          <div className="actions">
            <button type="button" className="button button-primary" onClick={onContinue}>
              Yes, keep this certificate
            </button>
            <button type="button" className="button" onClick={() => setReplacing(true)}>
              No, use a new certificate
            </button>
          </div>
        </div>
      )}

      {!askImported && accepted && !replacing && (
        <>
          {/* One box, so the checkbox keeps the focus when ticking it turns the box into "accepted". */}
          <Callout
            tone={needsAcknowledgment ? 'warning' : 'success'}
            title={needsAcknowledgment ? 'Certificate needs your acknowledgment' : 'Certificate accepted'}
            ref={outcomeRef}
          >
            {needsAcknowledgment ? (
              <p className="callout-lede">
                The certificate for <strong>{accepted.summary.cn}</strong> passed every check, with{' '}
                {accepted.warnings.length === 1 ? 'one warning' : `${accepted.warnings.length} warnings`}.
                Read {accepted.warnings.length === 1 ? 'it' : 'them'} and confirm before the key servers use
                it.
              </p>
            ) : (
              <p className="callout-lede">
                The key servers will use the certificate for <strong>{accepted.summary.cn}</strong>
                {accepted.warnings.length > 0 ? ', with the warnings you acknowledged:' : '.'}
              </p>
            )}
            {accepted.warnings.length > 0 && (
              <>
                <ul>
                  {accepted.warnings.map((w) => (
                    <li key={w.code}>
                      {w.message}
                      <ErrorCode code={w.code} />
                    </li>
                  ))}
                </ul>
                <label className="choice acknowledge">
                  <input
                    type="checkbox"
                    checked={acknowledged}
                    onChange={(e) => setAcknowledged(e.target.checked)}
                  />
                  <span>I have read these warnings and want to use this certificate</span>
                </label>
              </>
            )}
          </Callout>
          <CertificateDetails summary={accepted.summary} />
          <BackupForm />
          <div className="actions">
            <button
              type="button"
              className="button button-primary"
              disabled={needsAcknowledgment}
              aria-describedby={needsAcknowledgment ? 'certificate-continue-hint' : undefined}
              onClick={onContinue}
            >
              Continue
            </button>
            <button type="button" className="button" onClick={() => setReplacing(true)}>
              Replace certificate
            </button>
            {needsAcknowledgment && (
              <span className="muted" id="certificate-continue-hint">
                Confirm the warnings above to continue.
              </span>
            )}
          </div>
        </>
      )}

      {showForms && !askImported && (
        <>
          {status.previousCn && (
            <Callout tone="info">
              The nodes are registered with the CN <strong>{status.previousCn}</strong>; a new certificate
              must keep it.
            </Callout>
          )}
          <fieldset ref={methodRef} tabIndex={-1}>
            <legend>How do you want to provide the certificate?</legend>
            <label className="choice">
              <input
                type="radio"
                name="method"
                checked={method === 'upload'}
                onChange={() => setMethod('upload')}
              />
              <span>Upload a PKCS12 file</span>
            </label>
            <label className="choice">
              <input
                type="radio"
                name="method"
                checked={method === 'csr'}
                onChange={() => setMethod('csr')}
              />
              <span>Create a key and CSR</span>
            </label>
          </fieldset>
          {method === 'upload' ? (
            <Pkcs12Upload previousRoot={status.previousPrivateRoot} onAccepted={accept} />
          ) : (
            <CsrFlow
              pending={status.csr}
              previousCn={status.previousCn}
              previousRoot={status.previousPrivateRoot}
              onAccepted={accept}
            />
          )}
        </>
      )}
    </section>
  );
}

/** A copy of the nodes' PKCS12, encrypted with a password the admin chooses. */
function BackupForm() {
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<ErrorDetail[]>([]);
  async function submit(event: FormEvent) {
    event.preventDefault();
    try {
      const backup = await backupPkcs12(password);
      const bytes = Uint8Array.from(atob(backup.p12), (c) => c.charCodeAt(0));
      saveFile(backup.fileName, bytes, 'application/x-pkcs12');
      setPassword('');
      setErrors([]);
    } catch (error) {
      setErrors(error instanceof ApiError ? error.errors : []);
    }
  }
  return (
    <Disclosure title="Download a PKCS12 backup" className="card">
      <form onSubmit={submit} noValidate aria-label="Download a PKCS12 backup">
        <Field
          label="Backup password"
          hint="At least 8 characters. The file holds the private key: keep it as safe as the ISO."
          errors={errorsFor(errors, 'password')}
        >
          <input
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        <button type="submit" className="button">
          Download PKCS12 backup
        </button>
      </form>
    </Disclosure>
  );
}

export default CertificateStep;
