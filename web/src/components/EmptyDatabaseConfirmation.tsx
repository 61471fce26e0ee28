import { useId } from 'react';
import { Callout } from './Callout';

/**
 * An imported ISO's key database is reachable but empty (ISO_DB_EMPTY): most likely the wrong or a
 * wiped database. The admin may go on only by ticking this box; the error summary above says why.
 */
export function EmptyDatabaseConfirmation({
  checked,
  onChange,
}: {
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  const id = useId();
  return (
    <Callout tone="warning" title="Use this empty key database?">
      <p id={`${id}-why`}>
        Tick this only after checking the database host and name: an empty database holds none of this
        deployment's tenant keys.
      </p>
      <label className="choice">
        <input
          type="checkbox"
          checked={checked}
          aria-describedby={`${id}-why`}
          onChange={(e) => onChange(e.target.checked)}
        />
        <span>
          Use this empty database: it is the right one, and this deployment's master key may be bound to it
          (recorded in its audit log).
        </span>
      </label>
    </Callout>
  );
}
