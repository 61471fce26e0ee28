import { type FormEvent, useState } from 'react';
import type { BackupVerdict } from '../../../../contract/config-iso';
import type { ErrorDetail } from '../../../../contract/hds-error';
import { ApiError, api } from '../../api/client';
import { Callout } from '../../components/Callout';
import { ErrorSummary } from '../../components/ErrorSummary';
import { Field } from '../../components/Field';
import { FileInput } from '../../components/FileInput';
import { useFocusOn } from '../../components/focus';

/** The stored copy is compared with what this session produced: byte for byte, or how it differs. */
export function VerifyBackup() {
  const [file, setFile] = useState<File | null>(null);
  const [verdict, setVerdict] = useState<BackupVerdict>();
  const [errors, setErrors] = useState<ErrorDetail[]>([]);
  const [busy, setBusy] = useState(false);
  // The verdict takes the focus once it arrives: it is what the admin waits for.
  const verdictRef = useFocusOn<HTMLDivElement>(verdict);

  async function verify(event: FormEvent) {
    event.preventDefault();
    if (!file) {
      setErrors([
        {
          code: 'INVALID_INPUT',
          message: 'Choose the copy of the ISO from your backup location.',
          field: 'backup',
        },
      ]);
      return;
    }
    setBusy(true);
    setVerdict(undefined);
    setErrors([]);
    try {
      setVerdict(await api<BackupVerdict>('POST', '/iso/verify-backup', file));
      setErrors([]);
    } catch (e) {
      setErrors(
        (e instanceof ApiError
          ? e.errors
          : [{ code: 'INTERNAL' as const, message: 'Something went wrong. Try again.' }]
        ).map((d) => ({ ...d, field: 'backup' })),
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="verify-title">
      <h2 id="verify-title">Verify your backup</h2>
      <p>
        Prove the copy you stored is intact: choose it <strong>from the backup location</strong>, not from the
        download folder. It is compared byte for byte with the ISO built here, and never kept.
      </p>
      <ErrorSummary errors={errors} title="The backup could not be checked" />
      <form onSubmit={verify} noValidate>
        <Field label="Stored copy of the ISO" errors={errors}>
          <FileInput
            accept=".iso,application/x-iso9660-image"
            onFile={(chosen) => {
              setFile(chosen ?? null);
              setErrors([]);
              setVerdict(undefined);
            }}
          />
        </Field>
        <div className="actions actions-tight">
          <button type="submit" className="button" disabled={busy}>
            {busy ? 'Comparing…' : 'Verify backup'}
          </button>
        </div>
      </form>
      {verdict && (
        <Callout
          ref={verdictRef}
          tone={verdict.identical ? 'success' : 'error'}
          title={
            verdict.identical ? 'Backup verified: byte-identical' : 'This copy is not the ISO built here'
          }
        >
          <p>{verdict.message}</p>
          {!verdict.identical && (
            <dl className="facts">
              <dt>Your copy</dt>
              <dd>
                <code>{verdict.uploadedSha256}</code>
              </dd>
              <dt>Expected</dt>
              <dd>
                <code>{verdict.expectedSha256}</code>
              </dd>
            </dl>
          )}
        </Callout>
      )}
    </section>
  );
}
