import type { BulkFailure, BulkJobView } from '../../../../contract/tenants.js';
import { sendTenantAudit, type TenantAuditSender } from './tenant-audit.js';

export type BulkProgress = Pick<BulkJobView, 'total' | 'done' | 'failed' | 'remaining'>;
export type BulkOutcome = Omit<BulkJobView, 'ok' | 'id' | 'action'> & {
  /** Audit lines that could not be sent to syslog (the database audit log has them). */
  auditWarnings: string[];
};

export interface BulkOptions {
  /** Tenants per transaction. */
  batchSize?: number;
  /** Checked between batches: a cancelled run stops after the batch in flight commits. */
  signal?: AbortSignal;
  onProgress?: (progress: BulkProgress) => void;
  now?: () => Date;
  audit?: TenantAuditSender;
}

/** Counts a bulk run as it goes: every tenant is done, failed or remaining, never in between. */
export class BulkTally {
  done = 0;
  readonly failures: BulkFailure[] = [];
  readonly auditWarnings: string[] = [];
  constructor(
    readonly total: number,
    private readonly onProgress?: (progress: BulkProgress) => void,
  ) {}

  progress(): BulkProgress {
    const failed = this.failures.length;
    return { total: this.total, done: this.done, failed, remaining: this.total - this.done - failed };
  }

  report(): void {
    this.onProgress?.(this.progress());
  }

  finish(state: BulkOutcome['state'], error?: { code: string; message: string }): BulkOutcome {
    return {
      state,
      ...this.progress(),
      failures: this.failures,
      auditWarnings: this.auditWarnings,
      ...(error ? { error } : {}),
    };
  }

  async sendAudit(
    audit: TenantAuditSender | undefined,
    lines: Parameters<TenantAuditSender>[0],
  ): Promise<void> {
    this.auditWarnings.push(...(await sendTenantAudit(audit, lines)));
  }
}
