import * as Tabs from '@radix-ui/react-tabs';
import type { WizardStep } from '../steps/step-id';

/** The tab of the setup wizard itself; the others (Tenant CMK Management) are steps of kind 'tab'. */
export const SETUP_VIEW = 'setup';

/**
 * The product's tabs (PRODUCT.md page 9: "Tenant CMK management (tab, once a database is
 * configured)"): the setup wizard, and beside it each management tab. A real tablist, so the
 * tab is found and announced as a tab; the page beside is its tab panel.
 */
export function ViewTabs({ tabs }: { tabs: WizardStep[] }) {
  return (
    <Tabs.List className="view-tabs" aria-label="Views">
      <Tabs.Trigger value={SETUP_VIEW} className="view-tab" aria-describedby="view-hint-setup">
        <span className="view-tab-title">Setup wizard</span>
        <span className="step-hint" id="view-hint-setup" aria-hidden="true">
          Certificate, database, logs
        </span>
      </Tabs.Trigger>
      {tabs.map((tab) => (
        <Tabs.Trigger
          key={tab.id}
          value={tab.id}
          className="view-tab"
          aria-describedby={tab.hint ? `view-hint-${tab.id}` : undefined}
        >
          <span className="view-tab-title">{tab.title}</span>
          {tab.hint && (
            <span className="step-hint" id={`view-hint-${tab.id}`} aria-hidden="true">
              {tab.hint}
            </span>
          )}
        </Tabs.Trigger>
      ))}
    </Tabs.List>
  );
}

/** The view a page belongs to: its own tab, or the setup wizard's. */
export function viewOf(step: WizardStep): string {
  return step.kind === 'tab' ? step.id : SETUP_VIEW;
}
