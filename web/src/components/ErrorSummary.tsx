import type { ErrorDetail } from '../../../contract/hds-error';

/** The `role="alert"` summary on top of a page; each error also shows beside its own field. */
export function ErrorSummary({
  errors,
  title = 'Please fix the following',
}: {
  errors: ErrorDetail[];
  title?: string;
}) {
  if (errors.length === 0) return null;
  return (
    <div className="callout callout-error" role="alert">
      <strong>{title}</strong>
      <ul>
        {errors.map((e) => (
          <li key={`${e.code}:${e.field ?? ''}:${e.message}`}>
            <code className="code-tag">{e.code}</code> {e.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
