import * as Dialog from '@radix-ui/react-dialog';
import { useRef, useState } from 'react';
import type { ErrorDetail } from '../../../../contract/hds-error';
import type { TenantView } from '../../../../contract/tenants';
import { Field } from '../../components/Field';

/**
 * Revoking destroys a tenant's key for good, so the admin types the confirmation (the org's name,
 * or `revoke <n>` for all removed tenants) before the button does anything. A bulk revoke lists
 * the tenants it will destroy, so the admin sees who before typing.
 */
export function RevokeDialog({
  title,
  expected,
  what,
  tenants,
  onConfirm,
  onClose,
  focusAfterRevoke,
}: {
  title: string;
  expected: string;
  what: string;
  /** The tenants a bulk revoke covers (name and org id), shown in a scrollable list. */
  tenants?: readonly TenantView[];
  onConfirm: (typed: string) => Promise<ErrorDetail[]>;
  onClose: () => void;
  /**
   * Where the focus goes once the revocation is done: the row menu that opened the dialog has left
   * the table with its tenant. Cancelling returns the focus to that menu as usual.
   */
  focusAfterRevoke?: () => void;
}) {
  const [typed, setTyped] = useState('');
  const [errors, setErrors] = useState<ErrorDetail[]>([]);
  const [busy, setBusy] = useState(false);
  const revoked = useRef(false);
  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    const result = await onConfirm(typed);
    setBusy(false);
    revoked.current = result.length === 0;
    if (result.length) setErrors(result);
    else onClose();
  }
  return (
    <Dialog.Root open onOpenChange={(open) => !open && onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content
          className="dialog card"
          onCloseAutoFocus={(event) => {
            if (!revoked.current || !focusAfterRevoke) return;
            event.preventDefault();
            focusAfterRevoke();
          }}
        >
          <Dialog.Title>{title}</Dialog.Title>
          <Dialog.Description>
            This is irreversible: {what} can never be decrypted again. The revocation is recorded in the audit
            log.
          </Dialog.Description>
          {tenants && (
            // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
            <section className="revoke-list" aria-label="Tenants to revoke" tabIndex={0}>
              <ul>
                {tenants.map((t) => (
                  <li key={t.orgId}>
                    <span className="revoke-list-name">{t.name}</span> <code>{t.orgId}</code>
                  </li>
                ))}
              </ul>
            </section>
          )}
          <form onSubmit={submit}>
            <Field label={`Type ${expected} to confirm`} errors={errors}>
              <input
                type="text"
                value={typed}
                onChange={(e) => setTyped(e.target.value)}
                autoComplete="off"
              />
            </Field>
            <div className="actions">
              <Dialog.Close asChild>
                <button type="button" className="button">
                  Keep the key
                </button>
              </Dialog.Close>
              <button
                type="submit"
                className="button button-danger"
                disabled={busy || typed.normalize('NFC') !== expected.normalize('NFC')}
              >
                Revoke for good
              </button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
