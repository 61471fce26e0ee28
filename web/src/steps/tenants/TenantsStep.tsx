import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ErrorDetail } from '../../../../contract/hds-error';
import {
  type AlreadyListedTenant,
  alreadyListedNotice,
  type BulkJobView,
  type PreviouslyRevokedTenant,
  previouslyRevokedNotice,
  restoredNotice,
  TENANT_CSV_MAX_BYTES,
  TENANT_STATUS_LABEL,
  type TenantAuditWarning,
  type TenantView,
} from '../../../../contract/tenants';
import { ApiError } from '../../api/client';
import { Callout } from '../../components/Callout';
import { ErrorCode } from '../../components/ErrorCode';
import { ErrorSummary } from '../../components/ErrorSummary';
import { errorsFor, Field } from '../../components/Field';
import { useFocusOn } from '../../components/focus';
import { PageHeader } from '../../components/PageHeader';
import type { StepProps } from '../step-id';
import { BulkProgress } from './BulkProgress';
import { RevokeDialog } from './RevokeDialog';
import { SyslogAuditWarnings } from './SyslogAuditWarnings';
import { tenantsApi } from './tenants-api';

/** Natural order, as an admin reads a list: "Org 2" before "Org 10". */
const byName = (a: TenantView, b: TenantView) =>
  a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' });

const errorsOf = (error: unknown): ErrorDetail[] =>
  error instanceof ApiError ? error.errors : [{ code: 'INTERNAL', message: String(error) }];

type Revoking = { kind: 'one'; tenant: TenantView } | { kind: 'removed'; tenants: TenantView[] };

/** Refusals that mean "not set up yet" rather than "the database said no": shown as a next step. */
const NOT_READY = new Set(['DB_NOT_CONFIGURED', 'WIZARD_INCOMPLETE']);

function TenantsStep({ goTo }: StepProps) {
  const [tenants, setTenants] = useState<TenantView[] | undefined>();
  const [database, setDatabase] = useState('');
  const [errors, setErrors] = useState<ErrorDetail[]>([]);
  const [notice, setNotice] = useState('');
  const noticeRef = useRef<HTMLDivElement>(null);
  /** Orgs just added again after their CMK was revoked: said plainly, with their next key version. */
  const [revokedBefore, setRevokedBefore] = useState<PreviouslyRevokedTenant[]>([]);
  /** Orgs imported again under another name: their listed name was kept, and the page says so. */
  const [listedAs, setListedAs] = useState<AlreadyListedTenant[]>([]);
  /** The last action's audit lines that syslog did not take (a bulk run shows its own with its progress). */
  const [auditWarnings, setAuditWarnings] = useState<TenantAuditWarning[]>([]);
  /** The CSV file last refused: its bad lines are listed on top, and nothing of it was imported. */
  const [refusedCsv, setRefusedCsv] = useState<string | undefined>();
  const [job, setJob] = useState<BulkJobView | undefined>();
  const [revoking, setRevoking] = useState<Revoking | undefined>();
  const [orgId, setOrgId] = useState('');
  const [name, setName] = useState('');
  const [addErrors, setAddErrors] = useState<ErrorDetail[]>([]);
  const progressRef = useFocusOn<HTMLDivElement>(job?.id);

  const reload = useCallback(async () => {
    try {
      const list = await tenantsApi.list();
      setTenants(list.tenants);
      setDatabase(list.database);
      setErrors([]);
    } catch (error) {
      setErrors(errorsOf(error));
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);

  // Poll a running job; the list is reloaded once it ends so statuses change row by row.
  useEffect(() => {
    if (job?.state !== 'running') return;
    const timer = setInterval(async () => {
      const next = await tenantsApi.job(job.id).catch(() => undefined);
      if (!next) return;
      setJob(next);
      if (next.state !== 'running') void reload();
    }, 300);
    return () => clearInterval(timer);
  }, [job, reload]);

  /** Runs one action; its notice is `done`, or the text `work` resolves to. */
  async function act(work: () => Promise<unknown>, done?: string) {
    setNotice('');
    setRevokedBefore([]);
    setListedAs([]);
    setAuditWarnings([]);
    setErrors([]);
    // The add form's refusal is about what was typed there; another action makes it stale.
    setAddErrors([]);
    setRefusedCsv(undefined);
    try {
      const said = await work();
      const text = typeof said === 'string' ? said : done;
      if (text) setNotice(text);
      await reload();
    } catch (error) {
      setErrors(errorsOf(error));
    }
  }
  const startJob = (start: () => Promise<BulkJobView>) => act(async () => setJob(await start()));

  async function addOne(event: React.FormEvent) {
    event.preventDefault();
    // An earlier "Added …" would contradict this add's refusal.
    setNotice('');
    setRevokedBefore([]);
    setListedAs([]);
    setAuditWarnings([]);
    try {
      const list = await tenantsApi.add(orgId, name);
      setTenants(list.tenants);
      setAddErrors([]);
      setNotice(`Added ${name}.`);
      setRevokedBefore(list.previouslyRevoked ? [list.previouslyRevoked] : []);
      setAuditWarnings(list.warnings);
      setOrgId('');
      setName('');
    } catch (error) {
      setAddErrors(errorsOf(error));
    }
  }

  async function importCsv(file: File | undefined) {
    if (!file) return;
    await act(async () => {
      // Refused before reading it: the server would only say the request is too large.
      const tooLarge =
        file.size > TENANT_CSV_MAX_BYTES
          ? Promise.reject(
              new ApiError(413, [
                {
                  code: 'TENANT_CSV_INVALID',
                  field: 'csv',
                  message: `${file.name} is larger than ${TENANT_CSV_MAX_BYTES / 1024 / 1024} MB; split it into smaller files.`,
                },
              ]),
            )
          : undefined;
      const result = await (tooLarge ?? tenantsApi.importCsv(await file.text())).catch((error: unknown) => {
        setRefusedCsv(file.name);
        throw error;
      });
      setNotice(
        `Imported ${result.added} tenant${result.added === 1 ? '' : 's'} from ${file.name}` +
          (result.alreadyPresent ? ` (${result.alreadyPresent} already listed, left as they are).` : '.'),
      );
      setRevokedBefore(result.previouslyRevoked);
      setListedAs(result.listedUnderOtherName);
      setAuditWarnings(result.warnings);
    });
  }

  const pending = tenants?.filter((t) => t.status === 'pending') ?? [];
  const removed = tenants?.filter((t) => t.status === 'removalPending') ?? [];
  const running = job?.state === 'running';
  const notReady = errors.find((e) => NOT_READY.has(e.code));

  if (notReady)
    return (
      <section aria-label="Tenant CMK Management">
        <PageHeader title="Tenant CMK Management" />
        <Callout tone="info" title="Not available yet">
          <p>{notReady.message}</p>
          <div className="actions">
            <button
              type="button"
              className="button"
              onClick={() => goTo(notReady.code === 'DB_NOT_CONFIGURED' ? 'isoImport' : 'review')}
            >
              {notReady.code === 'DB_NOT_CONFIGURED' ? 'Go to ISO import' : 'Go to Review'}
            </button>
          </div>
        </Callout>
      </section>
    );
  const failures = new Map((job?.failures ?? []).map((f) => [f.orgId, f]));

  return (
    <section aria-label="Tenant CMK Management">
      <PageHeader title="Tenant CMK Management">
        Each customer organisation on this cluster needs its own Customer Main Key (CMK) in the key database
        {database ? ` at ${database}` : ''}. Revoking a CMK makes that organisation's content unreadable for
        good.
      </PageHeader>
      <ErrorSummary
        errors={errors}
        title={
          refusedCsv
            ? `Nothing from ${refusedCsv} was imported: fix these lines and import the file again`
            : 'The key database refused'
        }
      />
      {notice && (
        <Callout tone="success" ref={noticeRef}>
          {notice}
        </Callout>
      )}
      <SyslogAuditWarnings warnings={auditWarnings} />
      <TenantNoticeList
        title="Added again after a revoked CMK"
        tenants={revokedBefore}
        describe={previouslyRevokedNotice}
      />
      <TenantNoticeList
        title="Already listed under another name"
        tenants={listedAs}
        describe={alreadyListedNotice}
      />

      {pending.length > 0 && !running && (
        <div className="callout callout-info tenants-banner">
          <span>
            {pending.length} organisation{pending.length === 1 ? '' : 's'} waiting for a CMK.
          </span>
          <button
            type="button"
            className="button button-primary"
            onClick={() => startJob(() => tenantsApi.createCmks())}
          >
            Create CMKs for all
          </button>
        </div>
      )}
      {job && (
        <BulkProgress
          job={job}
          ref={progressRef}
          onCancel={() => void tenantsApi.cancel(job.id).then(setJob)}
        />
      )}

      <div className="actions tenants-toolbar">
        <DropdownMenu.Root>
          <DropdownMenu.Trigger className="button" disabled={running || !tenants}>
            Manage CMKs
          </DropdownMenu.Trigger>
          <DropdownMenu.Portal>
            <DropdownMenu.Content className="menu" align="start">
              <DropdownMenu.Item
                className="menu-item"
                disabled={pending.length === 0}
                onSelect={() => startJob(() => tenantsApi.createCmks())}
              >
                Create CMKs for all pending ({pending.length})
              </DropdownMenu.Item>
              <DropdownMenu.Item
                className="menu-item"
                disabled={removed.length === 0}
                onSelect={() => setRevoking({ kind: 'removed', tenants: removed })}
              >
                Revoke CMKs of all removed ({removed.length})
              </DropdownMenu.Item>
            </DropdownMenu.Content>
          </DropdownMenu.Portal>
        </DropdownMenu.Root>
        {/* Named by the words on the button (getByLabel('Import CSV')); the format is its description,
            kept out of the name so getByLabel('Name') means the organisation name field alone. */}
        <label className="button">
          Import CSV
          <input
            type="file"
            accept=".csv,text/csv"
            className="visually-hidden"
            aria-describedby="tenants-csv-format"
            onChange={(e) => void importCsv(e.target.files?.[0]).then(() => (e.target.value = ''))}
          />
        </label>
        <span className="visually-hidden" id="tenants-csv-format">
          A CSV file of tenants with the header org_id,name
        </span>
      </div>

      <form className="card tenants-add" onSubmit={addOne} aria-labelledby="tenants-add-title">
        <h2 id="tenants-add-title">Add a tenant</h2>
        <div className="tenants-add-fields">
          <Field
            label="Org id"
            hint="The organisation's UUID in Partner Hub"
            errors={errorsFor(addErrors, 'orgId')}
          >
            <input type="text" value={orgId} onChange={(e) => setOrgId(e.target.value)} autoComplete="off" />
          </Field>
          <Field
            label="Organisation name"
            hint="As shown in Partner Hub"
            errors={errorsFor(addErrors, 'name')}
          >
            <input type="text" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
          </Field>
          <button type="submit" className="button">
            Add tenant
          </button>
        </div>
        <ErrorSummary errors={addErrors.filter((e) => e.field !== 'orgId' && e.field !== 'name')} />
      </form>

      {tenants && tenants.length === 0 && (
        <p>No tenants yet. Add one, or import a CSV file with the header org_id,name.</p>
      )}
      {tenants && tenants.length > 0 && (
        <div className="tenants-table-frame">
          <table className="data tenants-table">
            <caption className="visually-hidden">Tenant organisations</caption>
            <thead>
              <tr>
                <th scope="col">Organisation</th>
                <th scope="col" className="tenants-col-org-id">
                  Org id
                </th>
                <th scope="col" className="tenants-col-status">
                  Status
                </th>
                <th scope="col" className="tenants-col-actions">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {[...tenants].sort(byName).map((t) => {
                const failure = failures.get(t.orgId);
                return (
                  <tr key={t.orgId}>
                    <th scope="row">{t.name}</th>
                    <td>
                      <code>{t.orgId}</code>
                    </td>
                    <td>
                      <span className={`badge badge-${t.status}`}>{TENANT_STATUS_LABEL[t.status]}</span>
                      {failure && (
                        <span className="field-error">
                          {' '}
                          {failure.message}
                          <ErrorCode code={failure.code} />
                        </span>
                      )}
                    </td>
                    <td>
                      <DropdownMenu.Root>
                        <DropdownMenu.Trigger
                          className="button button-small"
                          aria-label={`Actions for ${t.name}`}
                          disabled={running}
                        >
                          ⋯
                        </DropdownMenu.Trigger>
                        <DropdownMenu.Portal>
                          <DropdownMenu.Content className="menu" align="end">
                            {t.status === 'pending' && (
                              <DropdownMenu.Item
                                className="menu-item"
                                onSelect={() => startJob(() => tenantsApi.createCmks([t.orgId]))}
                              >
                                Create CMK
                              </DropdownMenu.Item>
                            )}
                            {t.status !== 'removalPending' && (
                              <DropdownMenu.Item
                                className="menu-item"
                                onSelect={() =>
                                  act(async () => {
                                    setAuditWarnings((await tenantsApi.remove(t.orgId)).warnings);
                                    return `${t.name} is marked removed.`;
                                  })
                                }
                              >
                                Mark removed
                              </DropdownMenu.Item>
                            )}
                            {t.status === 'removalPending' && (
                              // The undo of "Mark removed": its CMK is untouched, so no typed confirmation.
                              <DropdownMenu.Item
                                className="menu-item"
                                onSelect={() =>
                                  act(async () => {
                                    const { restored, warnings } = await tenantsApi.restore(t.orgId);
                                    setAuditWarnings(warnings);
                                    return restoredNotice(restored);
                                  })
                                }
                              >
                                Restore
                              </DropdownMenu.Item>
                            )}
                            {t.status === 'removalPending' && (
                              <DropdownMenu.Item
                                className="menu-item"
                                onSelect={() => setRevoking({ kind: 'one', tenant: t })}
                              >
                                Revoke CMK
                              </DropdownMenu.Item>
                            )}
                          </DropdownMenu.Content>
                        </DropdownMenu.Portal>
                      </DropdownMenu.Root>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      {revoking?.kind === 'one' && (
        <RevokeDialog
          title={`Revoke the CMK of ${revoking.tenant.name}?`}
          expected={revoking.tenant.name}
          what={`all content of ${revoking.tenant.name}`}
          onClose={() => setRevoking(undefined)}
          focusAfterRevoke={() => noticeRef.current?.focus()}
          onConfirm={async (typed) => {
            try {
              const { warnings } = await tenantsApi.revoke(revoking.tenant.orgId, typed);
              setNotice(`The CMK of ${revoking.tenant.name} is revoked.`);
              setAuditWarnings(warnings);
              await reload();
              return [];
            } catch (error) {
              return errorsOf(error);
            }
          }}
        />
      )}
      {revoking?.kind === 'removed' && (
        <RevokeDialog
          title={`Revoke the CMKs of all ${revoking.tenants.length} removed tenants?`}
          expected={`revoke ${revoking.tenants.length}`}
          what="the content of every removed tenant listed here"
          tenants={revoking.tenants}
          onClose={() => setRevoking(undefined)}
          onConfirm={async (typed) => {
            try {
              setJob(await tenantsApi.revokeRemoved(typed));
              return [];
            } catch (error) {
              return errorsOf(error);
            }
          }}
        />
      )}
    </section>
  );
}

export default TenantsStep;

/** How many tenants a notice names before it only counts the rest (a CSV may hold thousands). */
const NOTICE_LIST_LIMIT = 50;

/** A warning naming each tenant an add or import said something about (nothing when there is none). */
function TenantNoticeList<T extends { orgId: string }>({
  title,
  tenants,
  describe,
}: {
  title: string;
  tenants: T[];
  describe: (tenant: T) => string;
}) {
  if (tenants.length === 0) return null;
  return (
    <Callout tone="warning" title={title} role="status">
      <ul className="tenants-revoked-before">
        {tenants.slice(0, NOTICE_LIST_LIMIT).map((t) => (
          <li key={t.orgId}>{describe(t)}</li>
        ))}
      </ul>
      {tenants.length > NOTICE_LIST_LIMIT && <p>…and {tenants.length - NOTICE_LIST_LIMIT} more.</p>}
    </Callout>
  );
}
