import { describe, expect, it } from 'vitest';
import { useShellStore } from './shell-store';

describe('shell store', () => {
  it('a replaced deployment drops the ticks of the old one and asks the server again', () => {
    const { markComplete, deploymentReplaced } = useShellStore.getState();
    for (const id of ['overview', 'isoImport', 'certificate', 'review'] as const) markComplete(id);
    const before = useShellStore.getState().serverRevision;
    deploymentReplaced();
    expect(useShellStore.getState().completed).toEqual(['overview']);
    expect(useShellStore.getState().serverRevision).toBe(before + 1);
  });
});
