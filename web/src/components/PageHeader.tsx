import type { ReactNode } from 'react';

export function PageHeader({
  title,
  eyebrow,
  children,
}: {
  title: string;
  /** The page's name in the step list, set above a title that says more (the Overview's). */
  eyebrow?: string;
  children?: ReactNode;
}) {
  return (
    <header className="page-header">
      <h1>
        {eyebrow && (
          <>
            <span className="page-eyebrow">{eyebrow}</span>{' '}
          </>
        )}
        {title}
      </h1>
      {children && <p className="lede">{children}</p>}
    </header>
  );
}
