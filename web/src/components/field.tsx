/**
 * A labelled form control with its hint and error, tied together for assistive technology; and a form's
 * error state, from its own checks or from the API's problem.
 */
import type { ComponentChildren, JSX } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { ApiError, endsSession, messageOf } from '../api';

export type FieldErrors = Record<string, string>;

/** The ids a control's aria-describedby names: its hint and, when there is one, its error. */
export function describedBy(id: string, error?: string, hint?: string): string | undefined {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

/** Props every control of a Field spreads, so that the error is announced with the control. */
export function controlProps(id: string, error?: string, hint?: string) {
  return {
    id,
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-describedby': describedBy(id, error, hint),
  };
}

export function Field(props: {
  id: string;
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
  children: ComponentChildren;
}) {
  return (
    <div class={props.error ? 'field has-error' : 'field'}>
      <label for={props.id}>{props.label}</label>
      {props.hint && (
        <p id={`${props.id}-hint`} class="hint">
          {props.hint}
        </p>
      )}
      {props.children}
      {props.error && (
        <p id={`${props.id}-error`} class="field-error">
          {props.error}
        </p>
      )}
    </div>
  );
}

/** An <input>'s attributes but `id`, kept per kind of input (type, role and list constrain one another). */
type InputAttributes = JSX.IntrinsicElements['input'] extends infer Kind
  ? Kind extends unknown
    ? Omit<Kind, 'id'>
    : never
  : never;

/** A Field around one <input>, the control it labels (any other attribute, `ref` too, goes to the input). */
export function InputField({
  id,
  label,
  error,
  hint,
  ...input
}: InputAttributes & {
  id: string;
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
}) {
  return (
    <Field id={id} label={label} error={error} hint={hint}>
      <input {...controlProps(id, error, hint)} {...input} />
    </Field>
  );
}

/**
 * Splits an API error into messages per form field (by the problem's JSON pointers) and the rest. `keyOf`
 * names the form's field for a pointer, or undefined when the form has none for it.
 */
export function splitErrors(
  error: unknown,
  keyOf: (pointer: string) => string | undefined,
): { fields: FieldErrors; general: string[] } {
  if (!(error instanceof ApiError)) {
    return { fields: {}, general: [messageOf(error)] };
  }
  const fields: FieldErrors = {};
  const general: string[] = [];
  for (const problem of error.fields) {
    const key = keyOf(problem.field);
    if (key && !fields[key]) fields[key] = problem.message;
    else if (!key) general.push(problem.message);
  }
  if (error.fields.length === 0) general.push(error.message);
  return { fields, general };
}

/** An error for the whole form, announced when it appears. */
export function FormAlert(props: { messages: readonly string[] }) {
  if (props.messages.length === 0) return null;
  return (
    <div class="alert alert-error" role="alert">
      {props.messages.length === 1 ? (
        <p>{props.messages[0]}</p>
      ) : (
        <ul>
          {props.messages.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Moves focus to the first control that has an error, after the render that shows it. */
export function focusFirstError(form: HTMLElement | null): void {
  window.setTimeout(() => {
    form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, 0);
}

/**
 * A form's state: its messages per field and for the whole form, and whether its request is running. Both
 * ways of finding messages (the form's own checks, an API error split by `keyOf`) replace what was shown and
 * move focus to the first control in error. Without `keyOf`, all of an API error is for the whole form.
 */
export function useForm(keyOf: (pointer: string) => string | undefined = () => undefined) {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  const clear = () => {
    setErrors({});
    setGeneral([]);
  };
  const show = (fields: FieldErrors, messages: string[]) => {
    setErrors(fields);
    setGeneral(messages);
    focusFirstError(form.current);
  };
  /** Shows an API error next to the fields it names; an ended session is left to the app. */
  const fail = (error: unknown) => {
    if (endsSession(error)) return;
    const split = splitErrors(error, keyOf);
    show(split.fields, split.general);
  };

  return {
    errors,
    general,
    busy,
    /** The form element, where focus looks for the first control in error. */
    form,
    clear,
    fail,
    /** Shows what the form's own checks found; true when they found nothing. */
    passes(found: FieldErrors): boolean {
      if (Object.keys(found).length === 0) {
        clear();
        return true;
      }
      show(found, []);
      return false;
    },
    /** Runs the form's request with the form busy; a failure is shown as `fail` shows it. */
    async send(request: () => Promise<void>): Promise<void> {
      setBusy(true);
      try {
        await request();
      } catch (error) {
        fail(error);
      } finally {
        setBusy(false);
      }
    },
  };
}
