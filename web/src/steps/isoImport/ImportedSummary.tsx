import type { ConfigIsoSummary } from '../../../../contract/config-iso';
import { Callout } from '../../components/Callout';
import { DATABASE_TYPE_LABELS, labelOf, TLS_MODE_LABELS } from '../../components/database-labels';
import { Timestamp } from '../../components/Timestamp';

/** What the imported ISO holds, never a secret: the admin checks it is the ISO they meant. */
export function ImportedSummary({
  summary,
  nextGeneration,
}: {
  summary: ConfigIsoSummary;
  nextGeneration: number | null;
}) {
  const { certificate, database, syslog, serviceAccounts } = summary;
  const firstExpiry = serviceAccounts.map((a) => a.expiresAt).sort()[0];
  // A copy without its file modes is told above the summary, beside "ISO verified" (IsoImportStep).
  const warnings = summary.warnings.filter((w) => w.code !== 'ISO_MODES_LOST');
  return (
    <section className="card" aria-labelledby="imported-summary-title">
      <h2 id="imported-summary-title">What the imported ISO holds</h2>
      <dl className="facts">
        <dt>Generation</dt>
        <dd>
          {summary.generation}
          {nextGeneration !== null && (
            <span className="muted"> — the new ISO will be generation {nextGeneration}</span>
          )}
        </dd>
        <dt>Created</dt>
        <dd>
          <Timestamp value={summary.createdAt} withTime />{' '}
          <span className="muted">by hds-setup {summary.toolVersion}</span>
        </dd>
        <dt>Certificate</dt>
        <dd>
          <code>{certificate.commonName}</code>, expires <Timestamp value={certificate.notAfter} />{' '}
          <span className="muted">
            ({certificate.daysToExpiry < 0 ? 'expired' : `in ${certificate.daysToExpiry} days`})
          </span>
        </dd>
        <dt>Database</dt>
        <dd>
          {labelOf(DATABASE_TYPE_LABELS, database.type)}: <code>{database.name}</code> on{' '}
          {database.hosts.join(', ')} as <code>{database.username}</code>{' '}
          <span className="muted">({labelOf(TLS_MODE_LABELS, database.tlsMode)})</span>
        </dd>
        <dt>Syslog</dt>
        <dd>
          <code>{syslog.url}</code>
          <span className="muted">
            {' '}
            ({syslog.tls ? 'TLS' : 'no TLS'}, {syslog.termination} termination)
          </span>
        </dd>
        <dt>Service accounts</dt>
        <dd>
          {firstExpiry ? (
            <>
              {serviceAccounts.map((a) => a.name).join(', ')} — expire <Timestamp value={firstExpiry} />
              {serviceAccounts.some((a) => a.expired) && (
                <>
                  {' '}
                  <span className="badge badge-error">expired</span>
                </>
              )}
            </>
          ) : (
            'none'
          )}
        </dd>
      </dl>
      {warnings.length > 0 && (
        <Callout tone="warning" title="Needs your attention">
          <ul>
            {warnings.map((w) => (
              <li key={w.code}>{w.message}</li>
            ))}
          </ul>
        </Callout>
      )}
    </section>
  );
}
