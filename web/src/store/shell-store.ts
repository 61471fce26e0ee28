import { create } from 'zustand';
import type { StepId } from '../steps/step-id';

export type AuthStatus = 'checking' | 'signedOut' | 'signedIn';

interface ShellState {
  auth: AuthStatus;
  authMessage: string | undefined;
  version: string | undefined;
  current: StepId;
  /** Pages the admin has finished, so the step list can tick them. */
  completed: StepId[];
  /**
   * Bumped when a page changes what the server holds in a way the frame shows (an imported ISO, a
   * new deployment): the step list's ticks and the tabs it offers are asked for again at once.
   */
  serverRevision: number;
  setSignedIn: (version: string) => void;
  setSignedOut: (message?: string) => void;
  goTo: (id: StepId) => void;
  markComplete: (id: StepId) => void;
  /** A new or imported deployment replaced the one the ticks described: start again from the Overview. */
  deploymentReplaced: () => void;
}

/** View state of the shell only: never a secret (no token, no password ever lands here). */
export const useShellStore = create<ShellState>((set) => ({
  auth: 'checking',
  authMessage: undefined,
  version: undefined,
  current: 'overview',
  completed: [],
  serverRevision: 0,
  setSignedIn: (version) => set({ auth: 'signedIn', version, authMessage: undefined }),
  setSignedOut: (message) => set({ auth: 'signedOut', authMessage: message }),
  goTo: (id) => set({ current: id }),
  markComplete: (id) => set((s) => (s.completed.includes(id) ? s : { completed: [...s.completed, id] })),
  deploymentReplaced: () => set((s) => ({ completed: ['overview'], serverRevision: s.serverRevision + 1 })),
}));

export const selectCurrentStep = (s: ShellState) => s.current;
export const selectAuth = (s: ShellState) => s.auth;
