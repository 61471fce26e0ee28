import { type FormEvent, useState } from 'react';
import type {
  CertificateAccepted,
  CertificateCsrView,
  CertificateKeyType,
  PreviousPrivateRoot,
} from '../../../../contract/certificate';
import type { ErrorDetail } from '../../../../contract/hds-error';
import { ApiError } from '../../api/client';
import { ErrorSummary } from '../../components/ErrorSummary';
import { errorsFor, Field } from '../../components/Field';
import { FileInput } from '../../components/FileInput';
import { useFocusOn } from '../../components/focus';
import { completeCsr, createCsr, saveFile } from './certificate-api';
import {
  initialPrivateRoot,
  PrivateRootField,
  type PrivateRootState,
  privateRootRequest,
} from './PrivateRootField';

/**
 * "Create a key and CSR": hds-setup makes the key (it stays in its memory) and the CSR; the admin
 * sends the CSR to the CA and pastes the CA's PEM reply here.
 */
export function CsrFlow({
  pending,
  previousCn,
  previousRoot,
  onAccepted,
}: {
  pending: CertificateCsrView | undefined;
  previousCn: string | undefined;
  previousRoot: PreviousPrivateRoot | undefined;
  onAccepted: (accepted: CertificateAccepted) => void;
}) {
  const [csr, setCsr] = useState(pending);
  const [cn, setCn] = useState(pending?.cn ?? previousCn ?? '');
  const [sans, setSans] = useState('');
  const [organization, setOrganization] = useState('');
  const [country, setCountry] = useState('');
  const [keyType, setKeyType] = useState<CertificateKeyType>('rsa-3072');
  const [chainPem, setChainPem] = useState('');
  const [root, setRoot] = useState<PrivateRootState>(() => initialPrivateRoot(previousRoot));
  const [errors, setErrors] = useState<ErrorDetail[]>([]);
  const [busy, setBusy] = useState(false);
  // A new CSR takes the focus: the next thing to do (send it to the CA) is below the form.
  const csrHeading = useFocusOn<HTMLHeadingElement>(csr === pending ? undefined : csr);

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setErrors([]);
    try {
      await action();
    } catch (error) {
      setErrors(error instanceof ApiError ? error.errors : []);
    } finally {
      setBusy(false);
    }
  }

  const create = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const names = sans.split(/[\s,]+/).filter(Boolean);
      const created = await createCsr({
        cn,
        sans: names,
        keyType,
        ...(organization ? { organization } : {}),
        ...(country ? { country } : {}),
      });
      setCsr(created);
    });
  };

  const complete = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => onAccepted(await completeCsr({ chainPem, ...privateRootRequest(root) })));
  };

  return (
    <div>
      <ErrorSummary errors={errors} />
      <form onSubmit={create} noValidate aria-label="Create a key and CSR">
        <Field
          label="Common name (CN)"
          hint={
            previousCn
              ? `Must stay ${previousCn}: nodes are registered with it.`
              : 'The name your key servers identify themselves by, e.g. kms.example.com. It need not resolve.'
          }
          errors={errorsFor(errors, 'cn')}
        >
          <input type="text" value={cn} onChange={(e) => setCn(e.target.value)} />
        </Field>
        <Field
          label="Additional names (optional)"
          hint="Other DNS names or IP addresses, separated by commas. The CN is always included."
          errors={errorsFor(errors, 'sans')}
        >
          <input type="text" value={sans} onChange={(e) => setSans(e.target.value)} />
        </Field>
        <Field label="Organization (optional)" errors={errorsFor(errors, 'organization')}>
          <input type="text" value={organization} onChange={(e) => setOrganization(e.target.value)} />
        </Field>
        <Field
          label="Country code (optional)"
          hint="Two letters, e.g. US."
          errors={errorsFor(errors, 'country')}
        >
          <input type="text" maxLength={2} value={country} onChange={(e) => setCountry(e.target.value)} />
        </Field>
        <Field label="Key type" errors={errorsFor(errors, 'keyType')}>
          <select value={keyType} onChange={(e) => setKeyType(e.target.value as CertificateKeyType)}>
            <option value="rsa-3072">RSA 3072 (recommended)</option>
            <option value="ec-p256">EC P-256</option>
          </select>
        </Field>
        <div className="actions">
          <button type="submit" className={csr ? 'button' : 'button button-primary'} disabled={busy}>
            {csr ? 'Create a new key and CSR' : 'Create key and CSR'}
          </button>
        </div>
      </form>

      {csr && (
        <form onSubmit={complete} noValidate aria-label="Complete the certificate" className="card csr-card">
          <h2 ref={csrHeading} tabIndex={-1}>
            Send this request to your CA
          </h2>
          <p>
            The private key stays in hds-setup's memory for this session. Send the request below to your CA,
            then paste its reply (your certificate and the CA certificates, in any order).
          </p>
          <Field label="Certificate signing request (CSR)">
            <textarea readOnly value={csr.csrPem} rows={8} />
          </Field>
          <button
            type="button"
            className="button"
            onClick={() => saveFile(`${csr.cn}.csr`, csr.csrPem, 'application/pkcs10')}
          >
            Download CSR
          </button>
          <Field
            label="CA certificate chain (PEM)"
            hint="Paste the PEM text your CA sent: -----BEGIN CERTIFICATE----- blocks."
            errors={errorsFor(errors, 'chainPem')}
          >
            <textarea value={chainPem} rows={10} onChange={(e) => setChainPem(e.target.value)} />
          </Field>
          {/* PRODUCT.md: "paste/upload the CA's PEM chain". A file's certificates join the text above. */}
          <Field
            label="Upload the CA's PEM chain"
            hint="Or choose the files your CA sent (.pem, .crt or .cer, PEM or DER); their certificates are added above."
          >
            <FileInput
              accept=".pem,.crt,.cer,.der"
              onFile={async (file) => {
                if (!file) return;
                const pem = certificatesAsPem(new Uint8Array(await file.arrayBuffer()));
                setChainPem((text) => (text.trim() ? `${text.trimEnd()}\n${pem}` : pem));
              }}
            />
          </Field>
          <PrivateRootField value={root} onChange={setRoot} errors={errors} previous={previousRoot} />
          <div className="actions">
            <button type="submit" className="button button-primary" disabled={busy}>
              Complete certificate
            </button>
          </div>
        </form>
      )}
    </div>
  );
}

/** A CA file as PEM text: PEM as it is, a binary (DER) certificate wrapped as one PEM block. */
function certificatesAsPem(bytes: Uint8Array): string {
  const text = new TextDecoder().decode(bytes);
  if (text.includes('-----BEGIN')) return text.endsWith('\n') ? text : `${text}\n`;
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  const lines = btoa(binary).match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
