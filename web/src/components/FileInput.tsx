import { type ChangeEvent, type InputHTMLAttributes, useState } from 'react';

type NativeProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'type' | 'onChange' | 'value' | 'className'>;

/**
 * A file input that looks like the other controls: a "Choose file" button and the chosen file's
 * name. The native input stays in the tab order (only visually hidden) and keeps the field's label,
 * hint and errors, so Tab, Space/Enter and screen readers work as with a plain file input; the
 * button is its second label, for the mouse.
 */
export function FileInput({
  onFile,
  buttonText = 'Choose file',
  emptyText = 'No file chosen',
  fileName,
  ...native
}: NativeProps & {
  onFile: (file: File | undefined) => void;
  /** The file the page holds, when it outlives this control (shown instead of the last choice). */
  fileName?: string | null;
  buttonText?: string;
  emptyText?: string;
}) {
  const [chosen, setChosen] = useState<string>();
  const name = fileName === undefined ? chosen : (fileName ?? undefined);
  const id = native.id;
  return (
    <div className="file-input">
      <input
        {...native}
        type="file"
        className="file-input-native"
        onChange={(event: ChangeEvent<HTMLInputElement>) => {
          const file = event.target.files?.[0];
          setChosen(file?.name);
          onFile(file);
        }}
      />
      <label htmlFor={id} className="button file-input-button" aria-hidden="true">
        {name ? 'Choose another file' : buttonText}
      </label>
      <span className={name ? 'file-input-name' : 'file-input-name muted'} aria-hidden="true">
        {name ?? emptyText}
      </span>
    </div>
  );
}
