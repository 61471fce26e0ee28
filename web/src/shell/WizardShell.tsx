import * as Tabs from '@radix-ui/react-tabs';
import { Suspense, useEffect, useRef, useState } from 'react';
import { api } from '../api/client';
import { wizardSteps } from '../steps/registry';
import type { StepId } from '../steps/step-id';
import { useShellStore } from '../store/shell-store';
import { StepList } from './StepList';
import { useServerProgress } from './server-progress';
import { SETUP_VIEW, ViewTabs, viewOf } from './ViewTabs';

/** The signed-in frame: step list on the left, one task per page on the right. */
export function WizardShell() {
  const { current, goTo, markComplete, version, setSignedOut } = useShellStore();
  const heading = useRef<HTMLDivElement>(null);
  const hidden = useHiddenSteps(current);
  useServerProgress(current);
  const shown = wizardSteps.filter((s) => !hidden.includes(s.id));
  const steps = shown.filter((s) => s.kind !== 'tab');
  const tabs = shown.filter((s) => s.kind === 'tab');
  const active = wizardSteps.find((s) => s.id === current) ?? wizardSteps[0]!;

  // Keep the page in the URL hash so the browser's Back button moves between pages.
  useEffect(() => {
    const fromHash = () => {
      const id = window.location.hash.replace(/^#\//, '') as StepId;
      if (wizardSteps.some((s) => s.id === id)) goTo(id);
    };
    fromHash();
    window.addEventListener('hashchange', fromHash);
    return () => window.removeEventListener('hashchange', fromHash);
  }, [goTo]);

  useEffect(() => {
    if (window.location.hash !== `#/${current}`) window.history.pushState(null, '', `#/${current}`);
    heading.current?.focus();
  }, [current]);

  const navigate = (id: StepId) => goTo(id);
  const onContinue = () => {
    markComplete(active.id);
    const index = steps.findIndex((s) => s.id === active.id);
    const next = steps[index + 1];
    if (next) goTo(next.id);
  };

  async function signOut() {
    await api('DELETE', '/session').catch(() => undefined);
    setSignedOut('You signed out. To sign in again, use the newest link hds-setup printed in its terminal.');
  }

  const page = (
    <Suspense fallback={<p className="muted">Loading {active.title}…</p>}>
      <active.Component onContinue={onContinue} goTo={navigate} />
    </Suspense>
  );
  const view = viewOf(active);
  // Back from a management tab, the wizard opens on the page the admin left.
  const lastSetupStep = useRef<StepId>('overview');
  if (active.kind !== 'tab') lastSetupStep.current = active.id;

  return (
    <Tabs.Root
      className="layout"
      value={view}
      activationMode="manual"
      onValueChange={(value) => goTo(value === SETUP_VIEW ? lastSetupStep.current : (value as StepId))}
    >
      <aside className="sidebar">
        <p className="brand">HDS Setup</p>
        {/* Always there (the Tenant tab joins once a database is configured): the page below keeps one
            place in the tree, so it is not remounted — losing what it shows — when a tab appears. */}
        <ViewTabs tabs={tabs} />
        <StepList steps={steps} current={current} onSelect={navigate} label="Setup steps" />
        <div className="sidebar-footer">
          <button type="button" className="button button-link" onClick={signOut}>
            Sign out
          </button>
          {version && <span className="muted">v{version}</span>}
        </div>
      </aside>
      <main className="content" ref={heading} tabIndex={-1} aria-live="polite">
        <Tabs.Content value={view} className="view-panel" tabIndex={-1}>
          {page}
        </Tabs.Content>
      </main>
    </Tabs.Root>
  );
}

/**
 * Steps with an `isAvailable` check stay hidden until it says yes; asked again when the page changes
 * and when a page reports a change on the server (an imported ISO brings the tenants tab at once).
 */
function useHiddenSteps(current: StepId): StepId[] {
  const revision = useShellStore((s) => s.serverRevision);
  const [hidden, setHidden] = useState(() => wizardSteps.filter((s) => s.isAvailable).map((s) => s.id));
  useEffect(() => {
    let live = true;
    const hiddenIds = wizardSteps
      .filter((s) => s.isAvailable)
      .map(async (s) => ((await s.isAvailable?.().catch(() => false)) ? [] : [s.id]));
    void Promise.all(hiddenIds).then((ids) => live && setHidden(ids.flat()));
    return () => {
      live = false;
    };
  }, [current, revision]);
  return hidden;
}
