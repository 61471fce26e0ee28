import { type FormEvent, useEffect, useState } from 'react';
import type { ErrorDetail } from '../../../../contract/hds-error';
import type { RotationMode, ServiceAccountsState } from '../../../../contract/service-accounts';
import { ApiError, api } from '../../api/client';
import { Callout } from '../../components/Callout';
import { ErrorSummary } from '../../components/ErrorSummary';
import { errorFieldsAttribute, errorsFor } from '../../components/Field';
import { PageHeader } from '../../components/PageHeader';
import type { StepProps } from '../step-id';
import { AccountsTable } from './AccountsTable';

const MODES: { mode: RotationMode; label: string; explanation: string }[] = [
  {
    mode: 'keep',
    label: 'Keep',
    explanation: 'The nodes keep their current secrets. Possible only while none has expired.',
  },
  {
    mode: 'soft',
    label: 'Soft reset',
    explanation:
      'New secrets are issued; the old and new secrets both work for 10 days. Re-mount the new ISO on the nodes one by one within those 10 days.',
  },
  {
    mode: 'hard',
    label: 'Hard reset',
    explanation:
      'New secrets are issued and the old ones stop working at once: every node fails until it runs the new ISO. Use it when an old ISO may be in the wrong hands.',
  },
];

function errorsOf(e: unknown): ErrorDetail[] {
  return e instanceof ApiError
    ? e.errors
    : [{ code: 'INTERNAL', message: 'Something went wrong. Try again.' }];
}

/**
 * Page 7. The nodes' machine credentials (kms, indexing, compliance), nine months each. After an
 * import the admin decides whether to keep or rotate them; expired ones can only be replaced.
 */
function ServiceAccountsStep({ onContinue, goTo }: StepProps) {
  const [state, setState] = useState<ServiceAccountsState>();
  const [mode, setMode] = useState<RotationMode>();
  const [errors, setErrors] = useState<ErrorDetail[]>([]);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api<ServiceAccountsState>('GET', '/service-accounts')
      .then((s) => {
        setState(s);
        if (s.mode !== 'new' && s.allowedModes.includes(s.mode)) setMode(s.mode);
        else if (s.imported && s.allowedModes.length === 1 && s.allowedModes[0] !== 'new')
          setMode(s.allowedModes[0]);
      })
      .catch((e) => setErrors(errorsOf(e)));
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!state?.imported) return onContinue();
    if (!mode) {
      setErrors([
        { code: 'INVALID_INPUT', message: 'Choose Keep, Soft reset or Hard reset.', field: 'mode' },
      ]);
      return;
    }
    setBusy(true);
    try {
      setState(await api<ServiceAccountsState>('PUT', '/service-accounts', { mode }));
      setErrors([]);
      onContinue();
    } catch (e) {
      setErrors(errorsOf(e));
    } finally {
      setBusy(false);
    }
  }

  const imported = state?.imported;
  const modeErrors = errorsFor(errors, 'mode');
  const firstAllowed = MODES.find((m) => state?.allowedModes.includes(m.mode))?.mode;
  const expired = imported?.some((a) => a.expired) ?? false;

  return (
    <section>
      <PageHeader title="Service accounts">
        Each node signs in to the cloud with three machine accounts — <code>kms</code>, <code>indexing</code>{' '}
        and <code>compliance</code> — whose secrets are generated here and written to the ISO. Secrets live
        nine months; the tool never shows them.
      </PageHeader>
      <ErrorSummary errors={errors} />

      {state && !imported && state.accounts.length === 0 && (
        <Callout tone="info" title="No deployment yet">
          Answer the ISO import question first.{' '}
          <button type="button" className="button-link" onClick={() => goTo('isoImport')}>
            Go to ISO import
          </button>
        </Callout>
      )}

      <form onSubmit={submit} noValidate>
        {state && !imported && state.accounts.length > 0 && (
          <div className="card">
            <AccountsTable caption="New service accounts for this deployment" accounts={state.accounts} />
          </div>
        )}

        {imported && (
          <>
            <div className="card">
              <AccountsTable caption="Service accounts in the imported ISO" accounts={imported} />
            </div>
            {expired && (
              <Callout tone="error" title="The imported secrets have expired">
                Nodes running the old ISO can no longer sign in. Only a hard reset is possible: new secrets,
                then mount the new ISO on every node.
              </Callout>
            )}
            <fieldset aria-describedby={modeErrors.length ? 'rotation-hint rotation-error' : 'rotation-hint'}>
              <legend>What should happen to the service-account secrets?</legend>
              <p className="field-hint" id="rotation-hint">
                Reset when the secrets are near expiry or to make older ISO files useless.
              </p>
              {MODES.map(({ mode: m, label, explanation }) => {
                const allowed = state.allowedModes.includes(m);
                const hintId = `rotation-${m}-hint`;
                return (
                  <div key={m} className="choice rotation-choice">
                    <input
                      type="radio"
                      id={`rotation-${m}`}
                      name="rotation"
                      value={m}
                      checked={mode === m}
                      disabled={!allowed}
                      aria-invalid={modeErrors.length > 0}
                      data-error-fields={m === firstAllowed ? errorFieldsAttribute(modeErrors) : undefined}
                      aria-describedby={hintId}
                      onChange={() => {
                        setMode(m);
                        setErrors([]);
                      }}
                    />
                    <div>
                      <label htmlFor={`rotation-${m}`}>
                        <strong>{label}</strong>
                      </label>
                      <p className="field-hint" id={hintId}>
                        {explanation}
                        {!allowed && m === 'keep' && ' Not available: the secrets have expired.'}
                      </p>
                    </div>
                  </div>
                );
              })}
              {modeErrors.length > 0 && (
                <p className="field-error" id="rotation-error">
                  {modeErrors.map((e) => e.message).join(' ')}
                </p>
              )}
            </fieldset>
            {state.mode !== 'new' && state.mode === mode && (
              <div className="card">
                <AccountsTable caption="Service accounts in the new ISO" accounts={state.accounts} />
              </div>
            )}
          </>
        )}

        <div className="actions">
          <button type="submit" className="button button-primary" disabled={busy || !state}>
            Continue
          </button>
        </div>
      </form>
    </section>
  );
}

export default ServiceAccountsStep;
