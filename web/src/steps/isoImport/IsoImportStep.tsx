import { type FormEvent, useEffect, useState } from 'react';
import type { DeploymentState } from '../../../../contract/config-iso';
import type { ErrorDetail } from '../../../../contract/hds-error';
import { ApiError, api } from '../../api/client';
import { Callout } from '../../components/Callout';
import { EmptyDatabaseConfirmation } from '../../components/EmptyDatabaseConfirmation';
import { ErrorSummary } from '../../components/ErrorSummary';
import { Field } from '../../components/Field';
import { FileInput } from '../../components/FileInput';
import { useFocusOn } from '../../components/focus';
import { PageHeader } from '../../components/PageHeader';
import { useShellStore } from '../../store/shell-store';
import type { StepProps } from '../step-id';
import { ImportedSummary } from './ImportedSummary';

/** The server refuses larger uploads; saying so here spares the admin a long upload. */
const MAX_ISO_BYTES = 16 * 1024 * 1024;

type Choice = 'new' | 'import';

function errorsOf(e: unknown): ErrorDetail[] {
  return e instanceof ApiError
    ? e.errors
    : [{ code: 'INTERNAL', message: 'Something went wrong. Try again.' }];
}

/**
 * Page 3. A new deployment gets a fresh master key on the server; an imported ISO carries its
 * master key over (it is never regenerated on this path) and pre-fills every page.
 */
function IsoImportStep({ onContinue }: StepProps) {
  const [deployment, setDeployment] = useState<DeploymentState>();
  const [choice, setChoice] = useState<Choice>();
  const [file, setFile] = useState<File | null>(null);
  const [errors, setErrors] = useState<ErrorDetail[]>([]);
  /** The server's reason to ask before starting over (409): shown once, as a question, not an error. */
  const [confirmDiscard, setConfirmDiscard] = useState<string>();
  const discardRef = useFocusOn<HTMLDivElement>(confirmDiscard);
  // The ISO's database is empty (ISO_DB_EMPTY): importing again needs the admin's explicit yes.
  const [askEmptyDatabase, setAskEmptyDatabase] = useState(false);
  const [acceptEmptyDatabase, setAcceptEmptyDatabase] = useState(false);
  const [busy, setBusy] = useState(false);
  // The step list's ticks and the tabs it offers follow the deployment this page just replaced.
  const deploymentReplaced = useShellStore((s) => s.deploymentReplaced);
  /** Counts successful imports: each "ISO verified" takes the focus, so it is read out. */
  const [imports, setImports] = useState(0);
  const verifiedRef = useFocusOn<HTMLDivElement>(imports);

  useEffect(() => {
    api<DeploymentState>('GET', '/deployment')
      .then((state) => {
        setDeployment(state);
        if (state.origin === 'imported') setChoice('import');
        if (state.origin === 'new') setChoice('new');
      })
      .catch((e) => setErrors(errorsOf(e)));
  }, []);

  async function startNew() {
    // Coming back to this page after choosing "No" keeps the deployment already started.
    if (deployment?.origin === 'new') return onContinue();
    setBusy(true);
    try {
      const state = await api<DeploymentState>(
        'POST',
        '/deployment/new',
        confirmDiscard ? { confirmDiscard: true } : {},
      );
      setDeployment(state);
      setErrors([]);
      deploymentReplaced();
      onContinue();
    } catch (e) {
      // 409: this session already holds a deployment; starting over needs an explicit yes.
      if (e instanceof ApiError && e.status === 409 && e.errors.some((d) => d.field === 'confirmDiscard')) {
        setConfirmDiscard(e.errors.map((d) => d.message).join(' '));
        setErrors([]);
      } else setErrors(errorsOf(e));
    } finally {
      setBusy(false);
    }
  }

  async function importIso(event: FormEvent) {
    event.preventDefault();
    if (!file) {
      setErrors([
        {
          code: 'INVALID_INPUT',
          message: 'Choose the configuration ISO file (.iso) to import.',
          field: 'iso',
        },
      ]);
      return;
    }
    if (file.size > MAX_ISO_BYTES) {
      setErrors([
        {
          code: 'PAYLOAD_TOO_LARGE',
          message: `${file.name} is ${Math.ceil(file.size / 1024 / 1024)} MB; a configuration ISO is far smaller than 16 MB. Choose the ISO hds-setup produced.`,
          field: 'iso',
        },
      ]);
      return;
    }
    setBusy(true);
    setErrors([]);
    try {
      const query = askEmptyDatabase && acceptEmptyDatabase ? '?acceptEmptyDatabase=true' : '';
      setDeployment(await api<DeploymentState>('POST', `/deployment/import${query}`, file));
      setErrors([]);
      setImports((n) => n + 1);
      // The imported ISO brings a database: the tenants tab and the step list's ticks follow at once.
      deploymentReplaced();
      setAskEmptyDatabase(false);
      setAcceptEmptyDatabase(false);
    } catch (e) {
      const found = errorsOf(e);
      if (found.some((d) => d.code === 'ISO_DB_EMPTY')) setAskEmptyDatabase(true);
      // The empty-database question is answered by its own box, not by choosing another file.
      setErrors(found.map((d) => (d.code === 'ISO_DB_EMPTY' ? d : { ...d, field: 'iso' })));
    } finally {
      setBusy(false);
    }
  }

  function choose(next: Choice) {
    setChoice(next);
    setErrors([]);
    setConfirmDiscard(undefined);
  }

  const imported = deployment?.origin === 'imported' ? deployment.imported : undefined;
  const fileErrors = errors.filter((e) => e.field === 'iso');

  return (
    <section>
      <PageHeader title="ISO import">
        Changing an existing deployment? Import its configuration ISO: the master key and every setting are
        carried over, and the next ISO continues its lineage.
      </PageHeader>
      <ErrorSummary
        errors={errors}
        title={choice === 'import' ? 'The ISO could not be imported' : 'Could not continue'}
      />

      <fieldset>
        <legend>Do you have a configuration ISO from an earlier run?</legend>
        <label className="choice">
          <input type="radio" name="iso-choice" checked={choice === 'new'} onChange={() => choose('new')} />
          <span>
            <strong>No</strong> — start a new deployment (a new master key is generated)
          </span>
        </label>
        <label className="choice">
          <input
            type="radio"
            name="iso-choice"
            checked={choice === 'import'}
            onChange={() => choose('import')}
          />
          {/* Not "configuration ISO": that names the file field below (getByLabel('Configuration ISO')). */}
          <span>
            <strong>Yes</strong> — import the latest ISO
          </span>
        </label>
      </fieldset>

      {choice === 'new' && (
        <>
          {confirmDiscard && (
            <Callout tone="warning" title="Discard the deployment this session holds?" ref={discardRef}>
              {confirmDiscard} Continue only if you really mean to set up a separate deployment.
            </Callout>
          )}
          <div className="actions">
            <button type="button" className="button button-primary" disabled={busy} onClick={startNew}>
              {confirmDiscard ? 'Discard and start a new deployment' : 'Continue'}
            </button>
          </div>
        </>
      )}

      {choice === 'import' && (
        <>
          <form className="card" onSubmit={importIso} noValidate>
            <Field
              label="Configuration ISO"
              hint="The most recent ISO this tool produced for the deployment (hds-config-…-genN.iso). It is checked before anything is loaded."
              errors={fileErrors}
            >
              <FileInput
                accept=".iso,application/x-iso9660-image"
                onFile={(chosen) => {
                  setFile(chosen ?? null);
                  setErrors([]);
                  setAskEmptyDatabase(false);
                  setAcceptEmptyDatabase(false);
                }}
              />
            </Field>
            {askEmptyDatabase && (
              <EmptyDatabaseConfirmation checked={acceptEmptyDatabase} onChange={setAcceptEmptyDatabase} />
            )}
            <div className="actions actions-tight">
              <button type="submit" className={imported ? 'button' : 'button button-primary'} disabled={busy}>
                {busy ? 'Checking the ISO…' : 'Import ISO'}
              </button>
            </div>
          </form>
          {/* While a new file is checked, the previous summary would describe the wrong ISO. */}
          {imported && !busy && (
            <>
              <Callout tone="success" title="ISO verified" ref={verifiedRef}>
                Every file matches the manifest and its MAC; the master key was carried over.
              </Callout>
              {imported.warnings
                .filter((w) => w.code === 'ISO_MODES_LOST')
                .map((w) => (
                  <Callout
                    key={w.code}
                    tone="warning"
                    role="status"
                    title="This copy has lost its file modes"
                  >
                    {w.message}
                  </Callout>
                ))}
              {deployment?.emptyDatabaseAccepted && (
                <Callout tone="warning" title="The key database is empty">
                  {deployment.emptyDatabaseAccepted.message}
                </Callout>
              )}
              <ImportedSummary summary={imported} nextGeneration={deployment?.nextGeneration ?? null} />
              <div className="actions">
                <button type="button" className="button button-primary" onClick={onContinue}>
                  Continue
                </button>
              </div>
            </>
          )}
        </>
      )}
    </section>
  );
}

export default IsoImportStep;
