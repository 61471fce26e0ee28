import type { BulkFailure, BulkJobView } from '../../../../contract/tenants.js';
import { AuditWarningTally, type TenantAuditLine, type TenantAuditSender } from './tenant-audit.js';

/** Where a run stands, reported as it goes: the audit warnings too, so a page shows them before it ends. */
export type BulkProgress = Pick<BulkJobView, 'total' | 'done' | 'failed' | 'remaining' | 'warnings'>;
export type BulkOutcome = Omit<BulkJobView, 'ok' | 'id' | 'action'>;

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
  private readonly audit = new AuditWarningTally();
  constructor(
    readonly total: number,
    private readonly onProgress?: (progress: BulkProgress) => void,
  ) {}

  progress(): BulkProgress {
    const failed = this.failures.length;
    return {
      total: this.total,
      done: this.done,
      failed,
      remaining: this.total - this.done - failed,
      warnings: this.audit.warnings(),
    };
  }

  report(): void {
    this.onProgress?.(this.progress());
  }

  finish(state: BulkOutcome['state'], error?: { code: string; message: string }): BulkOutcome {
    return {
      state,
      ...this.progress(),
      failures: this.failures,
      ...(error ? { error } : {}),
    };
  }

  async sendAudit(audit: TenantAuditSender | undefined, lines: TenantAuditLine[]): Promise<void> {
    await this.audit.send(audit, lines);
  }
}
