/** A time zone field that searches the browser's IANA zones as the person types (a native datalist). */
import { timeZones } from '../time';
import { controlProps } from './field';

export function TimeZoneInput(props: {
  id: string;
  value: string;
  error?: string | undefined;
  hint?: string | undefined;
  onInput: (value: string) => void;
}) {
  const listId = `${props.id}-zones`;
  return (
    <>
      <input
        {...controlProps(props.id, props.error, props.hint)}
        type="text"
        list={listId}
        autoComplete="off"
        spellcheck={false}
        value={props.value}
        onInput={(event) => props.onInput(event.currentTarget.value)}
      />
      <datalist id={listId}>
        {timeZones().map((zone) => (
          <option key={zone} value={zone} />
        ))}
      </datalist>
    </>
  );
}
