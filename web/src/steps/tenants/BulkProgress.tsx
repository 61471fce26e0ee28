import * as Progress from '@radix-ui/react-progress';
import type { Ref } from 'react';
import type { BulkJobView } from '../../../../contract/tenants';
import { ErrorCode } from '../../components/ErrorCode';
import { SyslogAuditWarnings } from './SyslogAuditWarnings';

/**
 * Live progress of a bulk CMK run: done / failed / remaining, a progress bar, and the audit lines
 * syslog did not take (counted, as the run reports them), which stay with the run's record.
 */
export function BulkProgress({
  job,
  onCancel,
  ref,
}: {
  job: BulkJobView;
  onCancel: () => void;
  /** The page focuses a run when it starts: the button that started it may be gone. */
  ref?: Ref<HTMLDivElement>;
}) {
  const finished = job.done + job.failed;
  const verb = job.action === 'create' ? 'Creating CMKs' : 'Revoking CMKs';
  return (
    <div className="card tenants-progress" ref={ref} tabIndex={-1}>
      <p id="bulk-progress-label">
        <strong>{job.state === 'running' ? verb : `${verb}: ${job.state}`}</strong> — {job.done} done,{' '}
        {job.failed} failed, {job.remaining} remaining
      </p>
      <Progress.Root
        className="tenants-progress-bar"
        value={finished}
        max={Math.max(job.total, 1)}
        aria-labelledby="bulk-progress-label"
      >
        <Progress.Indicator
          className="tenants-progress-fill"
          style={{ width: `${(100 * finished) / Math.max(job.total, 1)}%` }}
        />
      </Progress.Root>
      {job.error && (
        <p role="alert">
          {job.error.message}
          <ErrorCode code={job.error.code} />
        </p>
      )}
      <SyslogAuditWarnings warnings={job.warnings} />
      {job.state === 'running' && (
        <div className="actions">
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      )}
    </div>
  );
}
