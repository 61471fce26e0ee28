import type { PreviousPrivateRoot } from '../../../../contract/certificate';
import type { ErrorDetail } from '../../../../contract/hds-error';
import { Disclosure } from '../../components/Disclosure';
import { errorFieldsAttribute, errorsFor, Field } from '../../components/Field';
import { FileInput } from '../../components/FileInput';

export interface PrivateRootState {
  pem: string;
  acknowledged: boolean;
  /** The file the root came from; none while it is the previous ISO's root. */
  fileName?: string;
  /** The root is the one the imported ISO's chain ended at, offered by the page. */
  fromPreviousIso?: boolean;
}

/**
 * After an import whose chain ended at a private root, that root is filled in (a new certificate
 * from the same CA needs it again) — but never ticked: trusting it stays the admin's decision.
 */
export function initialPrivateRoot(previous: PreviousPrivateRoot | undefined): PrivateRootState {
  return previous
    ? { pem: previous.pem, acknowledged: false, fromPreviousIso: true }
    : { pem: '', acknowledged: false };
}

/** A private root CA may be added only with the explicit "not publicly trusted" acknowledgment. */
export function PrivateRootField({
  value,
  onChange,
  errors,
  previous,
}: {
  value: PrivateRootState;
  onChange: (value: PrivateRootState) => void;
  errors: ErrorDetail[];
  /** The imported ISO's private root, when there is one. */
  previous?: PreviousPrivateRoot | undefined;
}) {
  const offered = value.fromPreviousIso ? previous : undefined;
  return (
    <Disclosure
      title="Use a private root CA (not publicly trusted)"
      className="private-root"
      defaultOpen={Boolean(value.pem) || errorsFor(errors, 'trustRoot').length > 0}
    >
      {offered && (
        <section className="card" aria-label="Private root CA from the previous ISO">
          <p>
            <strong>From the previous ISO.</strong> Its certificate chain ended at this root; keep it if your
            new certificate comes from the same CA.
          </p>
          <dl className="facts">
            <dt>Subject</dt>
            <dd>{offered.subject}</dd>
            <dt>SHA-256 fingerprint</dt>
            <dd className="mono">{offered.fingerprintSha256}</dd>
          </dl>
          <div className="actions actions-tight">
            <button type="button" className="button" onClick={() => onChange(initialPrivateRoot(undefined))}>
              Remove this root
            </button>
          </div>
        </section>
      )}
      {previous && !value.fromPreviousIso && (
        <p>
          <button
            type="button"
            className="button button-link"
            onClick={() => onChange(initialPrivateRoot(previous))}
          >
            Use the root from the previous ISO ({previous.commonName})
          </button>
        </p>
      )}
      <Field
        label="Private root CA certificate (PEM)"
        hint={
          offered
            ? 'To use another root instead, choose its file.'
            : "Only if your certificate comes from your organisation's own CA."
        }
        errors={errorsFor(errors, 'trustRoot')}
      >
        <FileInput
          accept=".pem,.crt,.cer"
          fileName={value.fileName ?? null}
          onFile={async (file) =>
            onChange(
              file
                ? { pem: await file.text(), acknowledged: value.acknowledged, fileName: file.name }
                : { pem: '', acknowledged: value.acknowledged },
            )
          }
        />
      </Field>
      <div className={errorsFor(errors, 'acknowledgePrivateRoot').length ? 'field field-invalid' : 'field'}>
        <label className="choice">
          <input
            type="checkbox"
            checked={value.acknowledged}
            aria-invalid={errorsFor(errors, 'acknowledgePrivateRoot').length > 0}
            data-error-fields={errorFieldsAttribute(errorsFor(errors, 'acknowledgePrivateRoot'))}
            aria-describedby={
              errorsFor(errors, 'acknowledgePrivateRoot').length ? 'ack-root-error' : undefined
            }
            onChange={(e) => onChange({ ...value, acknowledged: e.target.checked })}
          />
          <span>
            I understand this root is not publicly trusted: other organisations' key servers will not trust
            this certificate.
          </span>
        </label>
        {errorsFor(errors, 'acknowledgePrivateRoot').length > 0 && (
          <p className="field-error" id="ack-root-error">
            {errorsFor(errors, 'acknowledgePrivateRoot')
              .map((e) => e.message)
              .join(' ')}
          </p>
        )}
      </div>
    </Disclosure>
  );
}

export function privateRootRequest(value: PrivateRootState) {
  return value.pem ? { trustRoot: value.pem, acknowledgePrivateRoot: value.acknowledged } : {};
}
