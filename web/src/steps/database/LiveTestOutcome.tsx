import type { DatabaseView } from '../../../../contract/database';
import { Callout } from '../../components/Callout';
import { ErrorCode } from '../../components/ErrorCode';

/** The accepted section's live test: what was verified, or the failure the admin chose to ignore. */
export function LiveTestOutcome({ view }: { view: DatabaseView }) {
  const t = view.liveTest;
  if (!t.ok)
    return (
      <Callout tone="warning" title="Accepted without a passing live test">
        {t.message} You chose to continue anyway; the review page shows this too.
        <ErrorCode code={t.code} />
      </Callout>
    );
  return (
    <Callout tone="success" title="Live test passed">
      <dl className="facts">
        <dt>Server</dt>
        <dd>
          {t.serverVersion} at {t.host}
        </dd>
        <dt>TLS</dt>
        <dd>{t.tls.used ? `${t.tls.protocol}, ${t.tls.cipher}` : 'not used (the server offers none)'}</dd>
        {t.tls.certificateSubject && (
          <>
            <dt>Server certificate</dt>
            <dd>
              {t.tls.certificateSubject}, expires {t.tls.certificateNotAfter?.slice(0, 10)}
            </dd>
          </>
        )}
      </dl>
      {t.notes?.map((n) => (
        <p key={n}>{n}</p>
      ))}
    </Callout>
  );
}
