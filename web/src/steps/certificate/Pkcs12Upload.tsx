import { type FormEvent, useState } from 'react';
import type { CertificateAccepted, PreviousPrivateRoot } from '../../../../contract/certificate';
import type { ErrorDetail } from '../../../../contract/hds-error';
import { ApiError, fileToBase64 } from '../../api/client';
import { ErrorSummary } from '../../components/ErrorSummary';
import { errorsFor, Field } from '../../components/Field';
import { FileInput } from '../../components/FileInput';
import { uploadPkcs12 } from './certificate-api';
import {
  initialPrivateRoot,
  PrivateRootField,
  type PrivateRootState,
  privateRootRequest,
} from './PrivateRootField';

/** Upload + password. The file and the password go only to hds-setup's server, never to storage. */
export function Pkcs12Upload({
  previousRoot,
  onAccepted,
}: {
  previousRoot: PreviousPrivateRoot | undefined;
  onAccepted: (accepted: CertificateAccepted) => void;
}) {
  const [file, setFile] = useState<File | undefined>();
  const [password, setPassword] = useState('');
  const [root, setRoot] = useState<PrivateRootState>(() => initialPrivateRoot(previousRoot));
  const [errors, setErrors] = useState<ErrorDetail[]>([]);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!file) {
      setErrors([{ code: 'INVALID_INPUT', field: 'p12', message: 'Choose the PKCS12 file (.p12 or .pfx).' }]);
      return;
    }
    setBusy(true);
    setErrors([]);
    try {
      const accepted = await uploadPkcs12({
        p12: await fileToBase64(file),
        password,
        ...privateRootRequest(root),
      });
      setPassword('');
      onAccepted(accepted);
    } catch (error) {
      setErrors(error instanceof ApiError ? error.errors : []);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Upload a PKCS12 file">
      <ErrorSummary errors={errors} />
      <Field
        label="PKCS12 file (.p12 or .pfx)"
        hint="The private key and the certificate chain, as exported from your CA or with OpenSSL."
        errors={errorsFor(errors, 'p12')}
      >
        <FileInput accept=".p12,.pfx" onFile={setFile} />
      </Field>
      <Field label="PKCS12 password" errors={errorsFor(errors, 'password')}>
        <input
          type="password"
          autoComplete="off"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </Field>
      <PrivateRootField value={root} onChange={setRoot} errors={errors} previous={previousRoot} />
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Checking…' : 'Check certificate'}
        </button>
      </div>
    </form>
  );
}
