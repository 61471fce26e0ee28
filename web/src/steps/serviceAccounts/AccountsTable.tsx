import type { ServiceAccountView } from '../../../../contract/service-accounts';
import { Timestamp } from '../../components/Timestamp';

function Status({ account }: { account: ServiceAccountView }) {
  if (account.expired) return <span className="badge badge-error">expired</span>;
  if (account.expiresSoon) return <span className="badge badge-warning">expires soon</span>;
  return <span className="badge badge-success">valid</span>;
}

/** Dates and status of each account; the secrets themselves never reach the browser. */
export function AccountsTable({ caption, accounts }: { caption: string; accounts: ServiceAccountView[] }) {
  const withPrevious = accounts.some((a) => a.previousValidUntil);
  return (
    <table className="data">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Account</th>
          <th scope="col">Issued</th>
          <th scope="col">Expires</th>
          <th scope="col">Status</th>
          {withPrevious && <th scope="col">Previous secret valid until</th>}
        </tr>
      </thead>
      <tbody>
        {accounts.map((a) => (
          <tr key={a.name}>
            <th scope="row">
              <code>{a.name}</code>
            </th>
            <td>
              <Timestamp value={a.issuedAt} />
            </td>
            <td>
              <Timestamp value={a.expiresAt} />
            </td>
            <td>
              <Status account={a} />
            </td>
            {withPrevious && (
              <td>{a.previousValidUntil ? <Timestamp value={a.previousValidUntil} withTime /> : '—'}</td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
