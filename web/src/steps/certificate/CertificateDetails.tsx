import type { CertificateSummary } from '../../../../contract/certificate';
import { Timestamp } from '../../components/Timestamp';

const day = (iso: string) => iso.slice(0, 10);

/** The accepted certificate: what the nodes will present, and the chain up to its root. */
export function CertificateDetails({ summary }: { summary: CertificateSummary }) {
  return (
    <section className="card" aria-labelledby="certificate-details-title">
      <h2 id="certificate-details-title">Certificate details</h2>
      <dl className="facts">
        <dt>Common name (CN)</dt>
        <dd>{summary.cn}</dd>
        <dt>Alternative names</dt>
        <dd>{summary.sans.join(', ') || 'none'}</dd>
        <dt>Key</dt>
        <dd>
          {summary.keyType} {summary.curve ?? `${summary.keySize} bits`}
        </dd>
        <dt>Valid</dt>
        <dd>
          {day(summary.notBefore)} to {day(summary.notAfter)} ({summary.daysToExpiry} days left)
        </dd>
        <dt>SHA-256 fingerprint</dt>
        <dd className="mono">{summary.fingerprintSha256}</dd>
        <dt>Root</dt>
        <dd>
          <span className={summary.trust === 'public' ? 'badge badge-success' : 'badge badge-warning'}>
            {summary.trust === 'public' ? 'Publicly trusted' : 'Private root'}
          </span>
        </dd>
      </dl>
      <h3 className="section-title">Issuer chain</h3>
      <table className="data">
        <caption className="visually-hidden">Certificate chain, from your certificate to the root</caption>
        <thead>
          <tr>
            <th scope="col">Certificate</th>
            <th scope="col">Issued by</th>
            <th scope="col">Valid until</th>
            <th scope="col">Signature</th>
          </tr>
        </thead>
        <tbody>
          {summary.chain.map((c) => (
            <tr key={c.fingerprintSha256}>
              <td>
                {c.subject} <span className="badge badge-neutral">{c.role}</span>
                {c.fetchedFrom && (
                  <>
                    {' '}
                    <span className="badge badge-warning">downloaded</span>
                    <br />
                    <small>from {c.fetchedFrom}, not from your file</small>
                  </>
                )}
              </td>
              <td>{c.issuer}</td>
              <td>
                <Timestamp value={c.notAfter} />
              </td>
              <td>{c.signatureAlgorithm}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
