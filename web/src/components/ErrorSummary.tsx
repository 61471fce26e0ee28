import { type MouseEvent, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { ErrorDetail } from '../../../contract/hds-error';
import { REVEAL_EVENT } from './Disclosure';
import { ErrorCode } from './ErrorCode';

/** The control that shows an error's field beside it (see `Field`), looked for near the summary. */
function controlFor(summary: HTMLElement | null, field: string | undefined): HTMLElement | null {
  if (!summary || !field) return null;
  const scope: ParentNode = summary.closest('form, section, [role="dialog"]') ?? document;
  return scope.querySelector<HTMLElement>(`[data-error-fields~="${CSS.escape(field)}"]`);
}

/** Moves focus to a field, opening any closed disclosure around it first (advanced settings). */
function focusControl(control: HTMLElement): void {
  for (let p = control.closest<HTMLElement>('[hidden]'); p; p = p.parentElement?.closest('[hidden]') ?? null)
    p.dispatchEvent(new Event(REVEAL_EVENT));
  control.focus({ preventScroll: true });
  control.scrollIntoView({ block: 'center' });
}

const signature = (errors: ErrorDetail[]) =>
  errors.map((e) => `${e.code}:${e.field ?? ''}:${e.message}`).join('\n');

/**
 * The `role="alert"` summary on top of a page; each error also shows beside its own field, and
 * the summary's item links to that field. When new errors arrive the summary takes the focus, so a
 * keyboard or screen-reader user lands on what went wrong instead of on a disabled button.
 */
export function ErrorSummary({
  errors,
  title = 'Please fix the following',
}: {
  errors: ErrorDetail[];
  title?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  /** The errors in the page's order (page-wide ones first), each with whether its field is on the page. */
  const [ordered, setOrdered] = useState<{ key: string; items: { error: ErrorDetail; linked: boolean }[] }>();
  const key = signature(errors);

  // Which errors have a field to link to, and where it sits: known only once the fields are rendered.
  useLayoutEffect(() => {
    const found = errors.map((error) => ({ error, control: controlFor(box.current, error.field) }));
    const rank = (c: HTMLElement | null, d: HTMLElement | null) =>
      !c || !d ? Number(Boolean(c)) - Number(Boolean(d)) : c.compareDocumentPosition(d) & 4 ? -1 : 1;
    found.sort((a, b) => (a.control === b.control ? 0 : rank(a.control, b.control)));
    setOrdered({ key, items: found.map(({ error, control }) => ({ error, linked: control !== null })) });
  }, [key]);

  useEffect(() => {
    if (key) box.current?.focus();
  }, [key]);

  if (errors.length === 0) return null;
  return (
    <div className="callout callout-error error-summary" role="alert" tabIndex={-1} ref={box}>
      <strong>{title}</strong>
      <ul>
        {(ordered?.key === key ? ordered.items : errors.map((error) => ({ error, linked: false }))).map(
          ({ error: e, linked }) => (
            <li key={`${e.code}:${e.field ?? ''}:${e.message}`}>
              {linked ? (
                <a
                  href={`#${e.field}`}
                  onClick={(event: MouseEvent) => {
                    // The address bar's hash is the wizard's page: only move the focus.
                    event.preventDefault();
                    const control = controlFor(box.current, e.field);
                    if (control) focusControl(control);
                  }}
                >
                  {e.message}
                </a>
              ) : (
                e.message
              )}
              <ErrorCode code={e.code} />
            </li>
          ),
        )}
      </ul>
    </div>
  );
}
