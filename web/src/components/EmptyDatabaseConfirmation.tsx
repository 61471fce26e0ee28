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
    <Callout tone="warning" title="The key database is empty">
      <p id={`${id}-why`}>
        A deployment's key database is bound when its ISO is saved, so an empty one usually means these
        settings name the wrong database, or it was wiped. Using it starts a new, empty key store: tenant keys
        kept elsewhere are not in it. Check the database host and name first, or restore the database from its
        backup.
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
