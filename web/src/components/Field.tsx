import { cloneElement, type ReactElement, useId } from 'react';
import type { ErrorDetail } from '../../../contract/hds-error';

interface FieldProps {
  label: string;
  hint?: string;
  /** Errors whose `field` names this input. */
  errors?: ErrorDetail[];
  children: ReactElement<{
    id?: string;
    'aria-describedby'?: string;
    'aria-invalid'?: boolean;
    'data-error-fields'?: string;
  }>;
}

/**
 * A labelled input with its hint and errors tied to it through aria-describedby. The input also
 * names the error fields it shows (`data-error-fields`), so the error summary can link to it.
 */
export function Field({ label, hint, errors = [], children }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy =
    [hint ? hintId : '', errors.length ? errorId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={errors.length ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      {cloneElement(children, {
        id,
        'aria-describedby': describedBy,
        'aria-invalid': errors.length > 0,
        'data-error-fields': errorFieldsAttribute(errors),
      })}
      {errors.length > 0 && (
        <p className="field-error" id={errorId}>
          {errors.map((e) => e.message).join(' ')}
        </p>
      )}
    </div>
  );
}

export function errorsFor(errors: ErrorDetail[], field: string): ErrorDetail[] {
  return errors.filter((e) => e.field === field || e.field?.startsWith(`${field}.`));
}

/** The value of `data-error-fields` for the errors shown beside one control (undefined when none). */
export function errorFieldsAttribute(errors: ErrorDetail[]): string | undefined {
  const fields = errors.flatMap((e) => (e.field ? [e.field] : []));
  return fields.length ? [...new Set(fields)].join(' ') : undefined;
}
