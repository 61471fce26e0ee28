import { randomUUID } from 'node:crypto';
import type { BulkJobView } from '../../../../contract/tenants.js';
import type { BulkOutcome, BulkProgress } from '../../core/tenants/index.js';

interface Job {
  view: BulkJobView;
  controller: AbortController;
  /** The deployment whose database and master key the run works with. */
  deploymentId: string;
}

/** Why a run is not shown: it is not known, or it belongs to a deployment the session has replaced. */
export type JobLookup = { job: BulkJobView } | { missing: 'unknown' | 'other-deployment' };

const KEEP_FINISHED = 20;

/**
 * Bulk CMK runs of this wizard process: polled by the page through GET /api/tenants/jobs/:id. A run
 * is shown only while its deployment is the session's: after a discard or an import of another
 * deployment it keeps going (on its own copy of the key, against its own database) but is not
 * reported as the new deployment's.
 */
export class BulkJobs {
  private readonly jobs = new Map<string, Job>();

  start(
    deploymentId: string,
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
      warnings: [],
    };
    this.jobs.set(id, { view, controller, deploymentId });
    this.forgetOld();
    void run(controller.signal, (p) => Object.assign(view, p))
      .then((outcome) => {
        Object.assign(view, outcome);
      })
      .catch((error: { code?: string; message?: string }) => {
        Object.assign(view, {
          state: 'failed',
          error: { code: error.code ?? 'INTERNAL', message: error.message ?? String(error) },
        });
      });
    return view;
  }

  get(id: string, deploymentId: string | undefined): JobLookup {
    const job = this.jobs.get(id);
    if (!job) return { missing: 'unknown' };
    if (job.deploymentId !== deploymentId) return { missing: 'other-deployment' };
    return { job: job.view };
  }

  cancel(id: string, deploymentId: string | undefined): JobLookup {
    const found = this.get(id, deploymentId);
    if ('job' in found) this.jobs.get(id)!.controller.abort();
    return found;
  }

  private forgetOld(): void {
    const finished = [...this.jobs.entries()].filter(([, j]) => j.view.state !== 'running');
    for (const [id] of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.jobs.delete(id);
  }
}
