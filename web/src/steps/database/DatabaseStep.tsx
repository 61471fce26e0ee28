import { type FormEvent, useEffect, useState } from 'react';
import type { DatabaseRequest, DatabaseResponse, DatabaseView } from '../../../../contract/database';
import {
  DATABASE_TLS_MODES,
  isFqdn,
  kerberosSpn,
  parseDatabaseHost,
} from '../../../../contract/database-host';
import { isDatabaseLiveTestCode } from '../../../../contract/database-live-test-codes';
import type { ErrorDetail } from '../../../../contract/hds-error';
import { ApiError, api } from '../../api/client';
import { Callout } from '../../components/Callout';
import { Disclosure } from '../../components/Disclosure';
import { ErrorSummary } from '../../components/ErrorSummary';
import { errorFieldsAttribute, errorsFor, Field } from '../../components/Field';
import { FileInput } from '../../components/FileInput';
import { PageHeader } from '../../components/PageHeader';
import type { StepProps } from '../step-id';
import {
  type DatabaseForm,
  emptyForm,
  errorsAfterTypeChange,
  formFromSettings,
  settingsFromForm,
  TLS_MODE_LABELS,
} from './database-form';
import { LiveTestOutcome } from './LiveTestOutcome';

const TYPES = [
  { type: 'postgresql', label: 'PostgreSQL' },
  { type: 'sqlserver', label: 'Microsoft SQL Server' },
] as const;

function DatabaseStep({ onContinue }: StepProps) {
  const [form, setForm] = useState<DatabaseForm>(emptyForm);
  // The password lives only in this component while the page is open: never in a store or storage.
  const [password, setPassword] = useState('');
  const [rootCa, setRootCa] = useState<{ name: string; pem: string } | undefined>();
  const [accepted, setAccepted] = useState<DatabaseView | null>(null);
  const [previousType, setPreviousType] = useState<DatabaseResponse['previousType']>();
  const [errors, setErrors] = useState<ErrorDetail[]>([]);
  const [busy, setBusy] = useState(false);
  // The entries the last live test ran with: "Ignore and continue" keeps exactly those, so it is
  // offered only until the admin edits one (then Continue tests the edit).
  const [tested, setTested] = useState<{ form: DatabaseForm; password: string; rootCa: typeof rootCa }>();

  useEffect(() => {
    api<DatabaseResponse>('GET', '/database')
      .then((r) => {
        setAccepted(r.database);
        setPreviousType(r.previousType);
        if (r.database) setForm(formFromSettings(r.database.settings));
        else if (r.previousType) setForm((f) => ({ ...f, type: r.previousType! }));
      })
      .catch((e: unknown) => setErrors(e instanceof ApiError ? e.errors : []));
  }, []);

  const set = <K extends keyof DatabaseForm>(key: K, value: DatabaseForm[K]) =>
    setForm((f) => ({ ...f, [key]: value }));
  const sqlServer = form.type === 'sqlserver';
  const windows = sqlServer && form.auth === 'windows';
  const verifying = form.tlsMode === 'verify-ca' || form.tlsMode === 'verify-full';
  const liveTestFailure = errors.find((e) => isDatabaseLiveTestCode(e.code));
  const testedAsShown = tested?.form === form && tested.password === password && tested.rootCa === rootCa;
  const at = (field: string) => errorsFor(errors, field);
  const hostErrors = (i: number) => [
    ...at(`database.hosts.${i}`),
    ...(i === 0 ? errors.filter((e) => e.field === 'database.hosts') : []),
  ];

  async function submit(ignoreLiveTestFailure: boolean) {
    setBusy(true);
    setErrors([]);
    setTested({ form, password, rootCa });
    const body: DatabaseRequest = {
      settings: settingsFromForm(form),
      password,
      ...(verifying && rootCa ? { rootCaPem: rootCa.pem } : {}),
      ignoreLiveTestFailure,
    };
    try {
      const r = await api<DatabaseResponse>('PUT', '/database', body);
      setAccepted(r.database);
      onContinue();
    } catch (e) {
      setErrors(
        e instanceof ApiError ? e.errors : [{ code: 'INTERNAL', message: 'The live test could not be run.' }],
      );
    } finally {
      setBusy(false);
    }
  }

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    // Accepted settings (or those of an imported ISO) left untouched are kept as they are.
    const unchanged =
      accepted && JSON.stringify(formFromSettings(accepted.settings)) === JSON.stringify(form) && !rootCa;
    if (unchanged && password === '') onContinue();
    else void submit(false);
  };

  const spns = windows
    ? form.hosts.flatMap((h) => {
        const parsed = parseDatabaseHost(h, 'sqlserver');
        // No SPN for an IP or a short name: Kerberos cannot use it, and the field says so.
        return 'error' in parsed || !isFqdn(parsed) ? [] : [kerberosSpn(parsed)];
      })
    : [];

  return (
    <section aria-labelledby="database-title">
      <PageHeader title="Database">
        The key database holds every encryption key of the cluster. Enter the address and an account with all
        privileges on that database; <em>Continue</em> tests the connection from this machine.
      </PageHeader>
      <h2 className="visually-hidden" id="database-title">
        Database settings
      </h2>
      <ErrorSummary errors={errors} title={liveTestFailure ? 'The live test failed' : undefined} />
      {liveTestFailure && testedAsShown && (
        <Callout tone="warning" title="The nodes may reach what this machine cannot">
          If you are sure the settings are right (for example, the database is only reachable from the nodes'
          network), you can keep them anyway.
          <div className="actions">
            <button type="button" className="button" disabled={busy} onClick={() => void submit(true)}>
              Ignore and continue
            </button>
          </div>
        </Callout>
      )}
      {accepted && errors.length === 0 && <LiveTestOutcome view={accepted} />}

      <form onSubmit={onSubmit} noValidate>
        <fieldset aria-describedby={at('database.type').length ? 'database-type-error' : undefined}>
          <legend>Database type</legend>
          {TYPES.map((t) => (
            <label className="choice" key={t.type}>
              <input
                type="radio"
                name="database-type"
                checked={form.type === t.type}
                aria-invalid={at('database.type').length > 0}
                data-error-fields={
                  form.type === t.type ? errorFieldsAttribute(at('database.type')) : undefined
                }
                disabled={previousType !== undefined && previousType !== t.type}
                onChange={() => {
                  setForm((f) => ({
                    ...f,
                    type: t.type,
                    tlsMode: f.tlsMode === 'verify-ca' ? 'verify-full' : f.tlsMode,
                  }));
                  setErrors(errorsAfterTypeChange);
                }}
              />
              {t.label}
            </label>
          ))}
          {previousType && (
            <p className="field-hint">
              The imported ISO uses this type; migrating between database types is not supported.
            </p>
          )}
          {at('database.type').length > 0 && (
            <p className="field-error" id="database-type-error">
              {at('database.type')
                .map((e) => e.message)
                .join(' ')}
            </p>
          )}
        </fieldset>

        {form.hosts.map((host, i) => (
          <div key={i} className="host-row">
            <Field
              label={i === 0 ? 'Host and port' : `Failover host ${i + 1}`}
              hint={
                i === 0
                  ? `host:port — the default port is ${sqlServer ? 1433 : 5432}; IPv6 in brackets, [2001:db8::5]:5432.`
                  : undefined
              }
              errors={hostErrors(i)}
            >
              <input
                type="text"
                value={host}
                autoComplete="off"
                onChange={(e) =>
                  set(
                    'hosts',
                    form.hosts.map((h, j) => (j === i ? e.target.value : h)),
                  )
                }
              />
            </Field>
            {i > 0 && (
              <button
                type="button"
                className="button button-link"
                onClick={() =>
                  set(
                    'hosts',
                    form.hosts.filter((_, j) => j !== i),
                  )
                }
              >
                Remove failover host {i + 1}
              </button>
            )}
          </div>
        ))}
        {form.hosts.length < 16 && (
          <p>
            <button
              type="button"
              className="button button-link"
              onClick={() => set('hosts', [...form.hosts, ''])}
            >
              Add a failover host
            </button>
          </p>
        )}

        <Field label="Database name" errors={at('database.name')}>
          <input
            type="text"
            value={form.name}
            autoComplete="off"
            onChange={(e) => set('name', e.target.value)}
          />
        </Field>

        {sqlServer && (
          <fieldset aria-describedby={at('database.auth').length ? 'database-auth-error' : undefined}>
            <legend>Authentication</legend>
            <label className="choice">
              <input
                type="radio"
                name="database-auth"
                checked={form.auth === 'basic'}
                aria-invalid={at('database.auth').length > 0}
                data-error-fields={
                  form.auth === 'basic' ? errorFieldsAttribute(at('database.auth')) : undefined
                }
                onChange={() => set('auth', 'basic')}
              />
              Basic Authentication (a SQL Server login)
            </label>
            <label className="choice">
              <input
                type="radio"
                name="database-auth"
                checked={form.auth === 'windows'}
                aria-invalid={at('database.auth').length > 0}
                data-error-fields={
                  form.auth === 'windows' ? errorFieldsAttribute(at('database.auth')) : undefined
                }
                onChange={() => set('auth', 'windows')}
              />
              Windows Authentication (Kerberos)
            </label>
            {at('database.auth').length > 0 && (
              <p className="field-error" id="database-auth-error">
                {at('database.auth')
                  .map((e) => e.message)
                  .join(' ')}
              </p>
            )}
          </fieldset>
        )}

        <Field
          // "Username" in both modes (PRODUCT.md: "username and password of an account"); Windows says how to write it.
          label="Username"
          hint={
            windows
              ? 'The Windows account, written username@DOMAIN, for example hdsuser@CORP.EXAMPLE.COM.'
              : undefined
          }
          errors={at('database.username')}
        >
          <input
            type="text"
            value={form.username}
            autoComplete="off"
            onChange={(e) => set('username', e.target.value)}
          />
        </Field>
        <Field
          label="Password"
          hint={
            accepted
              ? 'Leave empty to keep the accepted settings as they are; enter it to test again.'
              : undefined
          }
          errors={at('database.password')}
        >
          <input
            type="password"
            value={password}
            autoComplete="new-password"
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>

        {windows && (
          <>
            <Field
              label="Kerberos KDC"
              hint="Usually a domain controller of the account's domain."
              errors={at('database.kdc')}
            >
              <input
                type="text"
                value={form.kdc}
                autoComplete="off"
                onChange={(e) => set('kdc', e.target.value)}
              />
            </Field>
            <Callout tone="info" title="Kerberos">
              {spns.length > 0 && (
                <p>
                  The nodes will request the service principal{' '}
                  {spns.map((s) => (
                    <code key={s}>{s} </code>
                  ))}{' '}
                  — it must be registered for the SQL Server service account.
                </p>
              )}
              <p>The nodes, Active Directory and SQL Server must keep NTP-synchronised clocks.</p>
            </Callout>
          </>
        )}

        <Field label="TLS mode" errors={at('database.tlsMode')}>
          <select
            value={form.tlsMode}
            onChange={(e) => set('tlsMode', e.target.value as DatabaseForm['tlsMode'])}
          >
            {DATABASE_TLS_MODES.filter((m) => !(sqlServer && m === 'verify-ca')).map((m) => (
              <option key={m} value={m}>
                {TLS_MODE_LABELS[m]}
              </option>
            ))}
          </select>
        </Field>

        {verifying && (
          <Field
            label="Database root CA (PEM)"
            hint="The CA certificate that signed the database server’s certificate."
            errors={at('database.rootCa')}
          >
            <FileInput
              accept=".pem,.crt,.cer"
              fileName={rootCa?.name ?? null}
              onFile={async (file) =>
                setRootCa(file ? { name: file.name, pem: await file.text() } : undefined)
              }
            />
          </Field>
        )}

        <Disclosure title="Advanced settings" className="advanced-settings">
          <Field
            label="app_datasource_connection_pool_maxSize"
            hint="Connections each node keeps to the database (1–500, default 10)."
            errors={at('database.advanced.app_datasource_connection_pool_maxSize')}
          >
            <input
              type="number"
              min={1}
              max={500}
              value={form.poolSize}
              onChange={(e) => set('poolSize', e.target.value)}
            />
          </Field>
          <Field
            label="Connection timeout (seconds)"
            hint="Default 10."
            errors={at('database.advanced.connectTimeoutSeconds')}
          >
            <input
              type="number"
              min={1}
              max={300}
              value={form.timeoutSeconds}
              onChange={(e) => set('timeoutSeconds', e.target.value)}
            />
          </Field>
        </Disclosure>

        <div className="actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Testing the connection…' : 'Continue'}
          </button>
        </div>
      </form>
    </section>
  );
}

export default DatabaseStep;
