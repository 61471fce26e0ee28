import { randomUUID } from 'node:crypto';
import type { BulkJobView } from '../../../../contract/tenants.js';
import type { BulkOutcome, BulkProgress } from '../../core/tenants/index.js';

interface Job {
  view: BulkJobView;
  controller: AbortController;
}

const KEEP_FINISHED = 20;

/** Bulk CMK runs of this wizard process: polled by the page through GET /api/tenants/jobs/:id. */
export class BulkJobs {
  private readonly jobs = new Map<string, Job>();

  start(
    action: BulkJobView['action'],
    total: number,
    run: (signal: AbortSignal, onProgress: (p: BulkProgress) => void) => Promise<BulkOutcome>,
  ): BulkJobView {
    const id = randomUUID();
    const controller = new AbortController();
    const view: BulkJobView = {
      ok: true,
      id,
      action,
      state: 'running',
      total,
      done: 0,
      failed: 0,
      remaining: total,
      failures: [],
    };
    this.jobs.set(id, { view, controller });
    this.forgetOld();
    void run(controller.signal, (p) => Object.assign(view, p))
      .then((outcome) => {
        const { auditWarnings: _warnings, ...rest } = outcome;
        Object.assign(view, rest);
      })
      .catch((error: { code?: string; message?: string }) => {
        Object.assign(view, {
          state: 'failed',
          error: { code: error.code ?? 'INTERNAL', message: error.message ?? String(error) },
        });
      });
    return view;
  }

  get(id: string): BulkJobView | undefined {
    return this.jobs.get(id)?.view;
  }

  cancel(id: string): BulkJobView | undefined {
    const job = this.jobs.get(id);
    job?.controller.abort();
    return job?.view;
  }

  private forgetOld(): void {
    const finished = [...this.jobs.entries()].filter(([, j]) => j.view.state !== 'running');
    for (const [id] of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.jobs.delete(id);
  }
}
