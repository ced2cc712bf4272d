/**
 * The event form in a modal dialog: create (POST /events), edit (GET with its ETag, then PATCH with
 * If-Match: only the fields that changed, as a merge patch) and delete. A 412 means someone else changed the
 * event meanwhile: the form reloads it and says so. Problem errors land next to the field they name.
 */
import { Duration } from 'luxon';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type Api, ApiError, etagOf } from '../api';
import { Dialog } from '../components/dialog';
import {
  controlProps,
  Field,
  type FieldErrors,
  FormAlert,
  focusFirstError,
  splitErrors,
} from '../components/field';
import { TimeZoneInput } from '../components/time-zone-input';
import { addDays, addMinutes, isTimeZone, nextWholeHour } from '../time';
import {
  CHANNEL_LABELS,
  CHANNELS,
  type Channel,
  type Event,
  type EventInput,
  type EventPatch,
  type EventReminderInput,
  type Me,
} from '../types';

export type EventDialogTarget =
  | {
      readonly kind: 'new';
      readonly start?: string;
      readonly end?: string;
      readonly date?: string;
      readonly endDate?: string;
      readonly allDay?: boolean;
    }
  | { readonly kind: 'edit'; readonly eventId: string };

interface ReminderDraft {
  readonly key: number;
  readonly offset: string;
  readonly channels: readonly Channel[];
}

interface Draft {
  readonly title: string;
  readonly allDay: boolean;
  readonly start: string;
  readonly end: string;
  readonly date: string;
  readonly endDate: string;
  readonly timeZone: string;
  readonly location: string;
  readonly notes: string;
  /** An RRULE value, or '' for a one-off event. */
  readonly repeat: string;
  readonly reminders: readonly ReminderDraft[];
}

const OFFSETS: ReadonlyArray<readonly [string, string]> = [
  ['PT5M', '5 minutes before'],
  ['PT15M', '15 minutes before'],
  ['PT1H', '1 hour before'],
  ['P1D', '1 day before'],
];

const REPEATS: ReadonlyArray<readonly [string, string]> = [
  ['', 'Does not repeat'],
  ['FREQ=DAILY', 'Every day'],
  ['FREQ=WEEKLY', 'Every week'],
  ['FREQ=MONTHLY', 'Every month'],
];

const MAX_REMINDERS = 5;

let nextReminderKey = 1;

/** "15 minutes before" for any lead time, the presets' labels for theirs. */
function offsetLabel(offset: string): string {
  const preset = OFFSETS.find(([value]) => value === offset);
  if (preset) return preset[1];
  const duration = Duration.fromISO(offset);
  if (!duration.isValid) return offset;
  return duration.toMillis() === 0 ? 'At the start' : `${duration.toHuman()} before`;
}

const wall = (value: string | undefined) => (value ?? '').slice(0, 16);

/** Channels in the app's fixed order, so that two drafts with the same channels compare equal. */
const ordered = (channels: readonly Channel[]) => CHANNELS.filter((channel) => channels.includes(channel));

function newDraft(target: Extract<EventDialogTarget, { kind: 'new' }>, me: Me): Draft {
  const start = target.start ?? nextWholeHour(me.timeZone);
  const date = target.date ?? start.slice(0, 10);
  return {
    title: '',
    allDay: target.allDay ?? false,
    start,
    end: target.end ?? addMinutes(start, 60),
    date,
    endDate: target.endDate ?? date,
    timeZone: me.timeZone,
    location: '',
    notes: '',
    repeat: '',
    reminders: [],
  };
}

function draftOf(event: Event): Draft {
  const date = event.date ?? wall(event.start).slice(0, 10);
  const start = event.start ? wall(event.start) : `${date}T09:00`;
  return {
    title: event.title,
    allDay: event.allDay,
    start,
    end: event.end ? wall(event.end) : addMinutes(start, 60),
    date,
    endDate: event.endDate ?? date,
    timeZone: event.timeZone,
    location: event.location ?? '',
    notes: event.notes ?? '',
    repeat: event.rrule ?? '',
    reminders: event.reminders.map((reminder) => ({
      key: nextReminderKey++,
      offset: reminder.offset,
      channels: ordered(reminder.channels),
    })),
  };
}

const remindersOf = (reminders: readonly { offset: string; channels: readonly Channel[] }[]) =>
  reminders.map(
    (reminder): EventReminderInput => ({ offset: reminder.offset, channels: ordered(reminder.channels) }),
  );

/** The last day of an all-day draft, or undefined for a one-day event. */
const lastDay = (draft: Draft) => (draft.endDate && draft.endDate !== draft.date ? draft.endDate : undefined);

function inputOf(draft: Draft): EventInput {
  const location = draft.location.trim();
  const notes = draft.notes.trim();
  const endDate = lastDay(draft);
  return {
    title: draft.title.trim(),
    ...(draft.allDay
      ? { date: draft.date, ...(endDate ? { endDate } : {}) }
      : { start: draft.start, end: draft.end }),
    timeZone: draft.timeZone,
    ...(location ? { location } : {}),
    ...(notes ? { notes } : {}),
    ...(draft.repeat ? { rrule: draft.repeat } : {}),
    reminders: remindersOf(draft.reminders),
  };
}

/** The merge patch from the event as read to the draft: changed fields only (a change of time re-plans reminders). */
function patchOf(draft: Draft, event: Event): EventPatch {
  const patch: EventPatch = {};
  const title = draft.title.trim();
  if (title !== event.title) patch.title = title;
  if (draft.allDay) {
    if (!event.allDay) {
      patch.start = null;
      patch.end = null;
    }
    if (!event.allDay || draft.date !== event.date) patch.date = draft.date;
    const endDate = lastDay(draft);
    const before = event.endDate && event.endDate !== event.date ? event.endDate : undefined;
    if (endDate !== before) patch.endDate = endDate ?? null;
  } else {
    if (event.allDay) {
      patch.date = null;
      patch.endDate = null;
    }
    if (event.allDay || draft.start !== wall(event.start)) patch.start = draft.start;
    if (event.allDay || draft.end !== wall(event.end)) patch.end = draft.end;
  }
  if (draft.timeZone !== event.timeZone) patch.timeZone = draft.timeZone;
  const location = draft.location.trim() || undefined;
  if (location !== event.location) patch.location = location ?? null;
  const notes = draft.notes.trim() || undefined;
  if (notes !== event.notes) patch.notes = notes ?? null;
  const rrule = draft.repeat || undefined;
  if (rrule !== event.rrule) patch.rrule = rrule ?? null;
  const reminders = remindersOf(draft.reminders);
  if (JSON.stringify(reminders) !== JSON.stringify(remindersOf(event.reminders))) patch.reminders = reminders;
  return patch;
}

function validate(draft: Draft): FieldErrors {
  const errors: FieldErrors = {};
  if (!draft.title.trim()) errors.title = 'Give the event a title.';
  if (draft.allDay) {
    if (!draft.date) errors.date = 'Choose the day.';
    else if (draft.endDate && draft.endDate < draft.date)
      errors.endDate = 'The last day cannot be before the first.';
  } else {
    if (!draft.start) errors.start = 'Choose when it starts.';
    if (!draft.end) errors.end = 'Choose when it ends.';
    else if (draft.start && draft.end <= draft.start) errors.end = 'The end must be after the start.';
  }
  if (!isTimeZone(draft.timeZone.trim()))
    errors.timeZone = 'Choose a time zone from the list, like Europe/Paris.';
  draft.reminders.forEach((reminder, index) => {
    if (reminder.channels.length === 0) errors[`reminders.${index}`] = 'Choose at least one channel.';
  });
  return errors;
}

/** The form field a problem's JSON pointer is about. */
function keyOf(pointer: string): string | undefined {
  const reminder = /^\/reminders\/(\d+)/.exec(pointer);
  if (reminder) return `reminders.${reminder[1]}`;
  const key = pointer.replace(/^\//, '');
  if (key === 'rrule') return 'repeat';
  return ['title', 'start', 'end', 'date', 'endDate', 'timeZone', 'location', 'notes', 'reminders'].includes(
    key,
  )
    ? key
    : undefined;
}

export function EventDialog(props: {
  api: Api;
  me: Me;
  target: EventDialogTarget;
  onClose: () => void;
  /** After a create, change or delete: the calendar reloads and announces the message. */
  onChanged: (message: string) => void;
  returnFocus?: () => HTMLElement | null | undefined;
}) {
  const { api, me, target } = props;
  const [loaded, setLoaded] = useState<{ event: Event; etag: string } | undefined>();
  const [draft, setDraft] = useState<Draft | undefined>(
    target.kind === 'new' ? newDraft(target, me) : undefined,
  );
  const [loadError, setLoadError] = useState<string | undefined>();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [notice, setNotice] = useState<string | undefined>();
  const [busy, setBusy] = useState<'save' | 'delete' | undefined>();
  const [confirming, setConfirming] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const titleInput = useRef<HTMLInputElement>(null);
  const keepButton = useRef<HTMLButtonElement>(null);

  const load = async (eventId: string) => {
    setLoadError(undefined);
    try {
      const answer = await api.event(eventId);
      setLoaded({ event: answer.body, etag: etagOf(answer) });
      setDraft(draftOf(answer.body));
      return true;
    } catch (error) {
      setLoadError(error instanceof Error ? error.message : String(error));
      return false;
    }
  };

  useEffect(() => {
    if (target.kind === 'edit') {
      void load(target.eventId).then((ok) => {
        if (ok) window.setTimeout(() => titleInput.current?.focus(), 0);
      });
    } else {
      titleInput.current?.focus();
    }
    // The dialog shows one target for its whole life.
  }, []);

  useEffect(() => {
    if (confirming) keepButton.current?.focus();
  }, [confirming]);

  const change = (update: Partial<Draft>) =>
    setDraft((current) => (current ? { ...current, ...update } : current));

  const changeStart = (start: string) =>
    setDraft((current) => {
      if (!current) return current;
      // The end follows the start, keeping the duration, as in most calendars.
      const minutes = (Date.parse(`${current.end}Z`) - Date.parse(`${current.start}Z`)) / 60_000;
      const end = start && Number.isFinite(minutes) && minutes > 0 ? addMinutes(start, minutes) : current.end;
      return { ...current, start, end };
    });

  const toggleAllDay = (allDay: boolean) =>
    setDraft((current) => {
      if (!current) return current;
      if (allDay) {
        const date = current.start.slice(0, 10) || current.date;
        const endDate = current.end.slice(0, 10);
        return { ...current, allDay, date, endDate: endDate > date ? endDate : date };
      }
      const start = current.start.startsWith(current.date) ? current.start : `${current.date}T09:00`;
      return { ...current, allDay, start, end: current.end > start ? current.end : addMinutes(start, 60) };
    });

  const changeReminder = (index: number, update: Partial<ReminderDraft>) =>
    setDraft((current) =>
      current
        ? {
            ...current,
            reminders: current.reminders.map((reminder, at) =>
              at === index ? { ...reminder, ...update } : reminder,
            ),
          }
        : current,
    );

  const addReminder = () =>
    setDraft((current) =>
      current
        ? {
            ...current,
            reminders: [
              ...current.reminders,
              { key: nextReminderKey++, offset: 'PT15M', channels: ordered(me.defaultChannels) },
            ],
          }
        : current,
    );

  const removeReminder = (index: number) => {
    setDraft((current) =>
      current ? { ...current, reminders: current.reminders.filter((_, at) => at !== index) } : current,
    );
    // The removed row's button is gone: focus goes to the list's own button.
    window.setTimeout(() => form.current?.querySelector<HTMLElement>('#event-add-reminder')?.focus(), 0);
  };

  const fail = (error: unknown) => {
    const split = splitErrors(error, keyOf);
    setErrors(split.fields);
    setGeneral(split.general);
    focusFirstError(form.current);
  };

  const save = async (submit: globalThis.Event) => {
    submit.preventDefault();
    if (!draft) return;
    const found = validate(draft);
    setNotice(undefined);
    if (Object.keys(found).length > 0) {
      setErrors(found);
      setGeneral([]);
      focusFirstError(form.current);
      return;
    }
    setBusy('save');
    try {
      if (loaded) {
        const patch = patchOf(draft, loaded.event);
        if (Object.keys(patch).length === 0) {
          props.onClose();
          return;
        }
        await api.updateEvent(loaded.event.id, loaded.etag, patch);
        props.onChanged(`“${draft.title.trim()}” saved.`);
      } else {
        await api.createEvent(inputOf(draft));
        props.onChanged(`“${draft.title.trim()}” added to your calendar.`);
      }
    } catch (error) {
      if (error instanceof ApiError && error.status === 412 && loaded) {
        await staleReload(loaded.event.id);
      } else if (!(error instanceof ApiError && error.status === 401)) {
        fail(error);
      }
    } finally {
      setBusy(undefined);
    }
  };

  const staleReload = async (eventId: string) => {
    setErrors({});
    setGeneral([]);
    if (await load(eventId)) {
      setNotice(
        'This event was changed somewhere else after you opened it. The form now shows the latest version: make your change again.',
      );
      window.setTimeout(() => titleInput.current?.focus(), 0);
    }
  };

  const remove = async () => {
    if (!loaded) return;
    setBusy('delete');
    try {
      await api.deleteEvent(loaded.event.id, loaded.etag);
      props.onChanged(`“${loaded.event.title}” deleted.`);
    } catch (error) {
      setConfirming(false);
      if (error instanceof ApiError && error.status === 412) await staleReload(loaded.event.id);
      else if (!(error instanceof ApiError && error.status === 401)) fail(error);
    } finally {
      setBusy(undefined);
    }
  };

  const title = target.kind === 'new' ? 'New event' : 'Edit event';
  const customRepeat =
    draft?.repeat && !REPEATS.some(([value]) => value === draft.repeat) ? draft.repeat : undefined;

  return (
    <Dialog
      title={title}
      onClose={props.onClose}
      {...(props.returnFocus ? { returnFocus: props.returnFocus } : {})}
    >
      {!draft ? (
        loadError ? (
          <div class="alert alert-error" role="alert">
            <p>The event could not be loaded: {loadError}</p>
            <button type="button" onClick={() => target.kind === 'edit' && void load(target.eventId)}>
              Try again
            </button>
          </div>
        ) : (
          <p role="status" class="loading">
            Loading the event…
          </p>
        )
      ) : (
        <form ref={form} class="event-form" onSubmit={save} noValidate>
          {notice && (
            <div class="alert alert-warning" role="alert">
              <p>{notice}</p>
            </div>
          )}
          <FormAlert messages={general} />
          <Field id="event-title" label="Title" error={errors.title}>
            <input
              {...controlProps('event-title', errors.title)}
              ref={titleInput}
              type="text"
              maxLength={200}
              required
              value={draft.title}
              onInput={(event) => change({ title: event.currentTarget.value })}
            />
          </Field>
          <div class="field checkbox">
            <input
              id="event-all-day"
              type="checkbox"
              checked={draft.allDay}
              onChange={(event) => toggleAllDay(event.currentTarget.checked)}
            />
            <label for="event-all-day">All day</label>
          </div>
          {draft.allDay ? (
            <div class="field-row">
              <Field id="event-date" label="Date" error={errors.date}>
                <input
                  {...controlProps('event-date', errors.date)}
                  type="date"
                  required
                  value={draft.date}
                  onInput={(event) => {
                    const date = event.currentTarget.value;
                    change({ date, endDate: draft.endDate < date ? date : draft.endDate });
                  }}
                />
              </Field>
              <Field id="event-end-date" label="Last day" error={errors.endDate}>
                <input
                  {...controlProps('event-end-date', errors.endDate)}
                  type="date"
                  min={draft.date}
                  max={draft.date ? addDays(draft.date, 30) : undefined}
                  value={draft.endDate}
                  onInput={(event) => change({ endDate: event.currentTarget.value })}
                />
              </Field>
            </div>
          ) : (
            <div class="field-row">
              <Field id="event-start" label="Starts" error={errors.start}>
                <input
                  {...controlProps('event-start', errors.start)}
                  type="datetime-local"
                  required
                  value={draft.start}
                  onInput={(event) => changeStart(event.currentTarget.value)}
                />
              </Field>
              <Field id="event-end" label="Ends" error={errors.end}>
                <input
                  {...controlProps('event-end', errors.end)}
                  type="datetime-local"
                  required
                  min={draft.start}
                  value={draft.end}
                  onInput={(event) => change({ end: event.currentTarget.value })}
                />
              </Field>
            </div>
          )}
          <Field
            id="event-time-zone"
            label="Time zone"
            error={errors.timeZone}
            hint={draft.allDay ? undefined : 'The start and end are times in this zone.'}
          >
            <TimeZoneInput
              id="event-time-zone"
              value={draft.timeZone}
              error={errors.timeZone}
              hint={draft.allDay ? undefined : 'The start and end are times in this zone.'}
              onInput={(timeZone) => change({ timeZone })}
            />
          </Field>
          <Field id="event-location" label="Location (optional)" error={errors.location}>
            <input
              {...controlProps('event-location', errors.location)}
              type="text"
              maxLength={200}
              value={draft.location}
              onInput={(event) => change({ location: event.currentTarget.value })}
            />
          </Field>
          <Field id="event-notes" label="Notes (optional)" error={errors.notes}>
            <textarea
              {...controlProps('event-notes', errors.notes)}
              rows={3}
              maxLength={2000}
              value={draft.notes}
              onInput={(event) => change({ notes: event.currentTarget.value })}
            />
          </Field>
          <Field id="event-repeat" label="Repeat" error={errors.repeat}>
            <select
              {...controlProps('event-repeat', errors.repeat)}
              value={draft.repeat}
              onChange={(event) => change({ repeat: event.currentTarget.value })}
            >
              {REPEATS.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
              {customRepeat && (
                <option value={customRepeat}>
                  {loaded?.event.recurrence ?? customRepeat} (as set elsewhere)
                </option>
              )}
            </select>
          </Field>
          <fieldset class="reminders">
            <legend>Reminders</legend>
            {errors.reminders && (
              <p class="field-error" id="event-reminders-error">
                {errors.reminders}
              </p>
            )}
            {draft.reminders.length === 0 && <p class="hint">No reminders.</p>}
            <ol class="reminder-rows">
              {draft.reminders.map((reminder, index) => {
                const id = `event-reminder-${index}`;
                const error = errors[`reminders.${index}`];
                return (
                  <li key={reminder.key} class={error ? 'reminder-row has-error' : 'reminder-row'}>
                    <div class="field">
                      <label for={`${id}-offset`}>Reminder {index + 1}</label>
                      <select
                        {...controlProps(`${id}-offset`, error)}
                        value={reminder.offset}
                        onChange={(event) => changeReminder(index, { offset: event.currentTarget.value })}
                      >
                        {OFFSETS.map(([value, label]) => (
                          <option key={value} value={value}>
                            {label}
                          </option>
                        ))}
                        {!OFFSETS.some(([value]) => value === reminder.offset) && (
                          <option value={reminder.offset}>{offsetLabel(reminder.offset)}</option>
                        )}
                      </select>
                    </div>
                    <fieldset class="channels" aria-describedby={error ? `${id}-offset-error` : undefined}>
                      <legend class="visually-hidden">Reminder {index + 1} channels</legend>
                      {CHANNELS.map((channel) => (
                        <label key={channel} class="inline-check">
                          <input
                            type="checkbox"
                            checked={reminder.channels.includes(channel)}
                            onChange={(event) =>
                              changeReminder(index, {
                                channels: event.currentTarget.checked
                                  ? ordered([...reminder.channels, channel])
                                  : reminder.channels.filter((other) => other !== channel),
                              })
                            }
                          />
                          {CHANNEL_LABELS[channel]}
                        </label>
                      ))}
                    </fieldset>
                    <button
                      type="button"
                      class="link-button"
                      aria-label={`Remove reminder ${index + 1}`}
                      onClick={() => removeReminder(index)}
                    >
                      Remove
                    </button>
                    {error && (
                      <p class="field-error" id={`${id}-offset-error`}>
                        {error}
                      </p>
                    )}
                  </li>
                );
              })}
            </ol>
            <button
              type="button"
              id="event-add-reminder"
              disabled={draft.reminders.length >= MAX_REMINDERS}
              onClick={addReminder}
            >
              Add reminder
            </button>
          </fieldset>
          {confirming && loaded ? (
            <div class="confirm">
              <p id="event-confirm-text">
                Delete “{loaded.event.title}”?{' '}
                {loaded.event.rrule
                  ? 'Every occurrence of the series goes, with its reminders.'
                  : 'Its reminders are cancelled.'}
              </p>
              <div class="actions">
                <button
                  type="button"
                  class="danger"
                  aria-describedby="event-confirm-text"
                  disabled={busy !== undefined}
                  onClick={() => void remove()}
                >
                  {busy === 'delete' ? 'Deleting…' : 'Delete event'}
                </button>
                <button
                  type="button"
                  ref={keepButton}
                  aria-describedby="event-confirm-text"
                  onClick={() => setConfirming(false)}
                >
                  Keep it
                </button>
              </div>
            </div>
          ) : (
            <div class="actions dialog-actions">
              <button type="submit" class="primary" disabled={busy !== undefined}>
                {busy === 'save' ? 'Saving…' : 'Save'}
              </button>
              <button type="button" onClick={props.onClose}>
                Cancel
              </button>
              {loaded && (
                <button
                  type="button"
                  class="danger push-end"
                  disabled={busy !== undefined}
                  onClick={() => setConfirming(true)}
                >
                  Delete…
                </button>
              )}
            </div>
          )}
        </form>
      )}
    </Dialog>
  );
}
