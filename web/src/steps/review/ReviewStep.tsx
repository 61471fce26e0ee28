import { useEffect, useState } from 'react';
import type { BuiltIsoInfo, ReviewState } from '../../../../contract/config-iso';
import type { ErrorDetail } from '../../../../contract/hds-error';
import { ApiError, api } from '../../api/client';
import { Callout } from '../../components/Callout';
import { EmptyDatabaseConfirmation } from '../../components/EmptyDatabaseConfirmation';
import { ErrorSummary } from '../../components/ErrorSummary';
import { Field } from '../../components/Field';
import { useFocusOn } from '../../components/focus';
import { PageHeader } from '../../components/PageHeader';
import type { StepProps } from '../step-id';
import { BackupReminder } from './BackupReminder';
import { ReviewSectionCard } from './ReviewSectionCard';
import { VerifyBackup } from './VerifyBackup';

/**
 * Page 8. Everything on one page, then *Download ISO*: the first click builds the ISO, every click
 * downloads that same build. The file goes straight from the server to the browser's download (a
 * plain GET), so its secrets never pass through page scripts.
 */
function ReviewStep({ goTo, onContinue }: StepProps) {
  const [review, setReview] = useState<ReviewState>();
  const [errors, setErrors] = useState<ErrorDetail[]>([]);
  const [busy, setBusy] = useState(false);
  const [rebindConfirmation, setRebindConfirmation] = useState('');
  // Once the first download starts, the backup reminder (with the file's SHA-256) takes the focus.
  const [downloads, setDownloads] = useState(0);
  const reminderRef = useFocusOn<HTMLHeadingElement>(downloads === 1);
  const [acceptEmptyDatabase, setAcceptEmptyDatabase] = useState(false);

  useEffect(() => {
    api<ReviewState>('GET', '/review')
      .then(setReview)
      .catch((e) => setErrors(e instanceof ApiError ? e.errors : []));
  }, []);

  /** Builds the ISO unless this page already holds a current build; undefined when the build failed. */
  async function build(): Promise<BuiltIsoInfo | undefined> {
    if (review?.built) return review.built;
    setBusy(true);
    try {
      const next = await api<ReviewState>('POST', '/iso/build', {
        ...(rebindConfirmation ? { rebindConfirmation } : {}),
        ...(askEmptyDatabase && acceptEmptyDatabase ? { acceptEmptyDatabase: true } : {}),
      });
      setReview(next);
      setErrors([]);
      return next.built;
    } catch (e) {
      setErrors(
        e instanceof ApiError
          ? e.errors
          : [{ code: 'INTERNAL', message: 'Something went wrong. Try again.' }],
      );
      return undefined;
    } finally {
      setBusy(false);
    }
  }

  async function download() {
    const current = await build();
    if (!current) return;
    downloadFile('/api/iso/download', current.fileName);
    setDownloads((n) => n + 1);
  }

  const setBuilt = (built: BuiltIsoInfo) => {
    setReview((r) => (r ? { ...r, built } : r));
    // The last step is done once the backup is confirmed: tick it (there is no next page to go to).
    if (built.backupAcknowledged) onContinue();
  };
  const built = review?.built;
  // The database already holds another deployment's master key: building needs an explicit re-bind.
  const askRebind =
    errors.some((e) => e.code === 'DB_ALREADY_BOUND' && e.field === 'rebindConfirmation') ||
    errors.some((e) => e.field === 'rebindConfirmation') ||
    rebindConfirmation !== '';
  // The imported ISO's database is empty: building needs the admin's explicit yes (ISO_DB_EMPTY).
  const askEmptyDatabase = errors.some((e) => e.code === 'ISO_DB_EMPTY') || acceptEmptyDatabase;

  return (
    <section>
      <PageHeader title="Review & download">
        Check every setting, then download the configuration ISO that every node mounts.
      </PageHeader>
      <ErrorSummary errors={errors} title="The ISO could not be built" />

      {review && (
        <>
          <p className="review-generation">
            {review.origin === 'imported' && review.previousGeneration !== null ? (
              <>
                This ISO will be <strong>generation {review.generation}</strong>, replacing generation{' '}
                {review.previousGeneration}. Changes are marked against the imported ISO; secrets show only
                whether they changed.
              </>
            ) : review.origin === 'new' ? (
              <>
                This ISO will be <strong>generation {review.generation ?? 1}</strong> of a new deployment.
              </>
            ) : (
              <>
                Start on the{' '}
                <button type="button" className="button-link" onClick={() => goTo('isoImport')}>
                  ISO import
                </button>{' '}
                page: choose a new deployment, or import the configuration ISO of an earlier run.
              </>
            )}
          </p>

          {review.sections.map((section) => (
            <ReviewSectionCard
              key={section.id}
              section={section}
              imported={review.origin === 'imported'}
              goTo={goTo}
            />
          ))}

          {review.builtIsoStale && !built && (
            <Callout tone="warning" title="Download the ISO again">
              A page was changed after the ISO was built, so that file no longer matches these settings.
              Download the ISO again (it is built anew) and back up the new file; do not upload the earlier
              download to the nodes.
            </Callout>
          )}

          {!review.ready && (
            <Callout tone="info" title="Not ready yet">
              Complete the sections marked “not complete” to download the ISO.
            </Callout>
          )}

          {askRebind && !built && (
            <Callout tone="warning" title="The key database belongs to another deployment">
              <p>
                It holds no tenant keys yet, so it can be re-bound to this new deployment; the other
                deployment's ISO will then no longer match it. To do it, type the database name and build
                again.
              </p>
              <Field
                label="Database name, to confirm the re-bind"
                errors={errors.filter((e) => e.field === 'rebindConfirmation' && e.code === 'INVALID_INPUT')}
              >
                <input
                  type="text"
                  autoComplete="off"
                  spellCheck={false}
                  value={rebindConfirmation}
                  onChange={(e) => setRebindConfirmation(e.target.value)}
                />
              </Field>
            </Callout>
          )}

          {askEmptyDatabase && !built && (
            <EmptyDatabaseConfirmation checked={acceptEmptyDatabase} onChange={setAcceptEmptyDatabase} />
          )}

          <div className="actions">
            <button
              type="button"
              className="button button-primary"
              disabled={(!built && !review.ready) || busy}
              aria-describedby={busy ? 'review-building' : undefined}
              onClick={download}
            >
              Download ISO
            </button>
            {busy && (
              <span className="muted" id="review-building" role="status">
                Building the ISO…
              </span>
            )}
          </div>

          {built && <BackupReminder built={built} onAcknowledged={setBuilt} headingRef={reminderRef} />}
          {built?.backupAcknowledged && <VerifyBackup />}
        </>
      )}
    </section>
  );
}

/** Starts the browser's own download of a same-origin URL (the server sends it as an attachment). */
function downloadFile(href: string, fileName: string): void {
  const link = document.createElement('a');
  link.href = href;
  link.download = fileName;
  link.click();
}

export default ReviewStep;
