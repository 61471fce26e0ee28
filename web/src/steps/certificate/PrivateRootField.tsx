import type { ErrorDetail } from '../../../../contract/hds-error';
import { Disclosure } from '../../components/Disclosure';
import { errorFieldsAttribute, errorsFor, Field } from '../../components/Field';
import { FileInput } from '../../components/FileInput';

export interface PrivateRootState {
  pem: string;
  acknowledged: boolean;
}

/** A private root CA may be added only with the explicit "not publicly trusted" acknowledgment. */
export function PrivateRootField({
  value,
  onChange,
  errors,
}: {
  value: PrivateRootState;
  onChange: (value: PrivateRootState) => void;
  errors: ErrorDetail[];
}) {
  return (
    <Disclosure
      title="Use a private root CA (not publicly trusted)"
      className="private-root"
      defaultOpen={Boolean(value.pem) || errorsFor(errors, 'trustRoot').length > 0}
    >
      <Field
        label="Private root CA certificate (PEM)"
        hint="Only if your certificate comes from your organisation's own CA."
        errors={errorsFor(errors, 'trustRoot')}
      >
        <FileInput
          accept=".pem,.crt,.cer"
          onFile={async (file) => onChange({ ...value, pem: file ? await file.text() : '' })}
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
