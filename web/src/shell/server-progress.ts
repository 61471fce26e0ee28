import { useEffect } from 'react';
import type { ReviewState } from '../../../contract/config-iso';
import { api } from '../api/client';
import type { StepId } from '../steps/step-id';
import { useShellStore } from '../store/shell-store';

/**
 * The pages whose part the server already holds, read from the review (the one answer that knows
 * every section): a reload, a new sign-in after the session expired, or an imported ISO then shows
 * the progress the admin really has, not an empty step list.
 */
export function progressFromReview(review: ReviewState): StepId[] {
  const done: StepId[] = [];
  if (review.origin !== null) done.push('overview', 'isoImport');
  for (const section of review.sections) if (section.complete) done.push(section.id);
  if (review.built?.backupAcknowledged) done.push('review');
  return done;
}

/** Ticks the step list from the server's state on sign-in, on every page change and when a page says so. */
export function useServerProgress(current: StepId): void {
  const markComplete = useShellStore((s) => s.markComplete);
  const revision = useShellStore((s) => s.serverRevision);
  useEffect(() => {
    let live = true;
    api<ReviewState>('GET', '/review')
      .then((review) => {
        if (live) for (const id of progressFromReview(review)) markComplete(id);
      })
      // The step list only loses its ticks; the page itself reports what went wrong.
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [current, revision, markComplete]);
}
