import type { ReactNode, Ref } from 'react';

export function Callout({
  tone,
  title,
  children,
  ref,
  role,
}: {
  tone: 'info' | 'warning' | 'error' | 'success';
  title?: string;
  children: ReactNode;
  /** Given when the page moves the focus here (an action's outcome): the box then takes focus. */
  ref?: Ref<HTMLDivElement>;
  /** Errors are alerts and successes statuses; an outcome in another tone may be a status too. */
  role?: 'status' | 'alert';
}) {
  return (
    <div
      className={`callout callout-${tone}`}
      role={role ?? (tone === 'error' ? 'alert' : tone === 'success' ? 'status' : undefined)}
      ref={ref}
      tabIndex={ref ? -1 : undefined}
    >
      {title && <strong>{title}</strong>}
      <div>{children}</div>
    </div>
  );
}
