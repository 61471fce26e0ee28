import type { StepId, WizardStep } from '../steps/step-id';
import { useShellStore } from '../store/shell-store';

export function StepList({
  steps,
  current,
  onSelect,
  label,
}: {
  steps: WizardStep[];
  current: StepId;
  onSelect: (id: StepId) => void;
  label: string;
}) {
  const completed = useShellStore((s) => s.completed);
  return (
    <nav aria-label={label}>
      <ol className="step-list">
        {steps.map((step, index) => {
          const isCurrent = step.id === current;
          const done = completed.includes(step.id);
          return (
            <li key={step.id}>
              <button
                type="button"
                className={`step ${isCurrent ? 'step-current' : ''} ${done ? 'step-done' : ''}`}
                aria-current={isCurrent ? 'step' : undefined}
                aria-describedby={step.hint ? `step-hint-${step.id}` : undefined}
                onClick={() => onSelect(step.id)}
              >
                <span className="step-marker" aria-hidden="true">
                  {done ? '✓' : index + 1}
                </span>
                <span className="step-text">
                  {/* Cut to one line when the column is narrow; the full title shows on hover (the button's
                      accessible name always has it). */}
                  <span className="step-title" title={step.title}>
                    {step.title}
                  </span>
                  {/* The hint describes the button; its name stays the page's title ("Certificate", not
                      "Certificate TLS certificate of the nodes", whose "nodes" answered to "No"). */}
                  {step.hint && (
                    <span className="step-hint" id={`step-hint-${step.id}`} aria-hidden="true">
                      {step.hint}
                    </span>
                  )}
                </span>
                {done && <span className="visually-hidden"> (done)</span>}
              </button>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
