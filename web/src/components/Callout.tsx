import type { ReactNode } from 'react';

export function Callout({
  tone,
  title,
  children,
}: {
  tone: 'info' | 'warning' | 'error' | 'success';
  title?: string;
  children: ReactNode;
}) {
  return (
    <div
      className={`callout callout-${tone}`}
      role={tone === 'error' ? 'alert' : tone === 'success' ? 'status' : undefined}
    >
      {title && <strong>{title}</strong>}
      <div>{children}</div>
    </div>
  );
}
