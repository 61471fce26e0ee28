import { type FormEvent, type Ref, useState } from 'react';
import type { BuiltIsoInfo } from '../../../../contract/config-iso';
import type { ErrorDetail } from '../../../../contract/hds-error';
import { ApiError, api } from '../../api/client';
import { Callout } from '../../components/Callout';
import { ErrorSummary } from '../../components/ErrorSummary';
import { Field } from '../../components/Field';

/**
 * The forceful "back it up now" step: losing every copy of the ISO loses the master key, so the
 * admin must confirm a backup before the master key is bound to the key database.
 */
export function BackupReminder({
  built,
  onAcknowledged,
  headingRef,
}: {
  built: BuiltIsoInfo;
  onAcknowledged: (b: BuiltIsoInfo) => void;
  /** The page focuses the heading once the download has started. */
  headingRef?: Ref<HTMLHeadingElement>;
}) {
  const [stored, setStored] = useState(false);
  const [errors, setErrors] = useState<ErrorDetail[]>([]);
  const [busy, setBusy] = useState(false);

  async function acknowledge(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    try {
      onAcknowledged(await api<BuiltIsoInfo>('POST', '/iso/acknowledge-backup'));
      setErrors([]);
    } catch (e) {
      setErrors(
        e instanceof ApiError
          ? e.errors
          : [{ code: 'INTERNAL', message: 'Something went wrong. Try again.' }],
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="callout callout-warning backup-reminder" aria-labelledby="backup-title">
      <h2 id="backup-title" ref={headingRef} tabIndex={-1}>
        Back up the ISO now
      </h2>
      <p>
        This ISO holds the <strong>master key</strong>. If every copy is lost, all content encrypted by this
        deployment is lost for good — nobody, including Cisco, can recover it. Copy it now to at least two
        secure places that only HDS administrators can reach, outside your download folder.
      </p>
      <dl className="facts">
        <dt>File</dt>
        <dd>
          <code>{built.fileName}</code> ({built.size.toLocaleString('en')} bytes, generation{' '}
          {built.generation})
        </dd>
      </dl>
      <Field label="SHA-256 of the ISO" hint="Compare it with the checksum of each copy you store.">
        <input type="text" className="mono" readOnly spellCheck={false} value={built.sha256} />
      </Field>
      {built.backupAcknowledged ? (
        <p>
          <span className="badge badge-success">backup confirmed</span>
        </p>
      ) : (
        <form onSubmit={acknowledge} noValidate>
          <ErrorSummary errors={errors} title="Could not record the backup" />
          <label className="choice">
            <input type="checkbox" checked={stored} onChange={(e) => setStored(e.target.checked)} />
            <span>
              I have stored a copy of this ISO in a safe place, and know that losing it loses the master key.
            </span>
          </label>
          <button type="submit" className="button button-primary" disabled={!stored || busy}>
            Confirm backup
          </button>
        </form>
      )}
      {built.databaseBinding && (
        <Callout tone={built.databaseBinding.ok ? 'success' : 'error'} title="Key database">
          {built.databaseBinding.message}
        </Callout>
      )}
    </section>
  );
}
