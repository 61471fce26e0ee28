import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { flushSync } from 'react-dom';

/** Dispatched on a closed panel to open it at once (the error summary does, before focusing a field in it). */
export const REVEAL_EVENT = 'hds:reveal';

/**
 * A section shown on demand: a real button (aria-expanded, aria-controls) rather than
 * `<details>/<summary>`, whose summary has no button role for assistive tools or for tests that find
 * controls by role (getByRole('button', { name: 'Advanced settings' })).
 */
export function Disclosure({
  title,
  defaultOpen = false,
  className,
  children,
}: {
  title: string;
  defaultOpen?: boolean;
  className?: string;
  children: ReactNode;
}) {
  const [open, setOpen] = useState(defaultOpen);
  const panelId = useId();
  const panel = useRef<HTMLDivElement>(null);

  // Something on the page wants to show what is inside (a field with an error): open synchronously,
  // so the caller can focus it right after.
  useEffect(() => {
    const element = panel.current;
    const reveal = () => flushSync(() => setOpen(true));
    element?.addEventListener(REVEAL_EVENT, reveal);
    return () => element?.removeEventListener(REVEAL_EVENT, reveal);
  }, []);

  // A section opened by the page (a file already chosen, an error inside) stays open.
  useEffect(() => {
    if (defaultOpen) setOpen(true);
  }, [defaultOpen]);

  return (
    <div className={className ? `disclosure ${className}` : 'disclosure'}>
      <button
        type="button"
        className="disclosure-toggle"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
      >
        <span className="disclosure-marker" aria-hidden="true">
          {open ? '▾' : '▸'}
        </span>
        {title}
      </button>
      <div id={panelId} ref={panel} className="disclosure-panel" hidden={!open}>
        {children}
      </div>
    </div>
  );
}
