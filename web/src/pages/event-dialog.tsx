/**
 * The event form in a modal dialog: create (POST /events), edit (GET with its ETag, then PATCH with
 * If-Match: only the fields that changed, as a merge patch) and delete. A 412 means someone else changed the
 * event meanwhile: the form reloads it and says so. Problem errors land next to the field they name.
 */

import { Duration } from 'luxon';
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type Api, etagOf, hasStatus, messageOf } from '../api';
import { Dialog } from '../components/dialog';
import { controlProps, Field, type FieldErrors, FormAlert, InputField, useForm } from '../components/field';
import { LoadFailed } from '../components/load-failed';
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

/** The last day of an all-day draft or event, or undefined for a one-day one. */
const lastDay = (days: { readonly date?: string | undefined; readonly endDate?: string | undefined }) =>
  days.endDate && days.endDate !== days.date ? days.endDate : undefined;

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

/** The days of an all-day draft against the event as read; a timed event loses its times. */
function allDayPatch(draft: Draft, event: Event): EventPatch {
  const patch: EventPatch = event.allDay ? {} : { start: null, end: null };
  if (!event.allDay || draft.date !== event.date) patch.date = draft.date;
  const endDate = lastDay(draft);
  if (endDate !== lastDay(event)) patch.endDate = endDate ?? null;
  return patch;
}

/** The times of a timed draft against the event as read; an all-day event loses its days. */
function timedPatch(draft: Draft, event: Event): EventPatch {
  const patch: EventPatch = event.allDay ? { date: null, endDate: null } : {};
  if (event.allDay || draft.start !== wall(event.start)) patch.start = draft.start;
  if (event.allDay || draft.end !== wall(event.end)) patch.end = draft.end;
  return patch;
}

/** The merge patch from the event as read to the draft: changed fields only (a change of time re-plans reminders). */
function patchOf(draft: Draft, event: Event): EventPatch {
  const patch: EventPatch = {};
  const title = draft.title.trim();
  if (title !== event.title) patch.title = title;
  Object.assign(patch, draft.allDay ? allDayPatch(draft, event) : timedPatch(draft, event));
  if (draft.timeZone !== event.timeZone) patch.timeZone = draft.timeZone;
  // A cleared optional text is patched to null.
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

function validateWhen(draft: Draft): FieldErrors {
  if (draft.allDay) {
    if (!draft.date) return { date: 'Choose the day.' };
    return draft.endDate && draft.endDate < draft.date
      ? { endDate: 'The last day cannot be before the first.' }
      : {};
  }
  const errors: FieldErrors = {};
  if (!draft.start) errors.start = 'Choose when it starts.';
  if (!draft.end) errors.end = 'Choose when it ends.';
  else if (draft.start && draft.end <= draft.start) errors.end = 'The end must be after the start.';
  return errors;
}

function validate(draft: Draft): FieldErrors {
  const errors: FieldErrors = {};
  if (!draft.title.trim()) errors.title = 'Give the event a title.';
  Object.assign(errors, validateWhen(draft));
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

/** A new start moves the end with it, keeping the duration, as in most calendars. */
function withStart(draft: Draft, start: string): Draft {
  const minutes = (Date.parse(`${draft.end}Z`) - Date.parse(`${draft.start}Z`)) / 60_000;
  const end = start && Number.isFinite(minutes) && minutes > 0 ? addMinutes(start, minutes) : draft.end;
  return { ...draft, start, end };
}

/** All day on: the days the times were on. Off: the times, kept when they are on the first day. */
function withAllDay(draft: Draft, allDay: boolean): Draft {
  if (allDay) {
    const date = draft.start.slice(0, 10) || draft.date;
    const endDate = draft.end.slice(0, 10);
    return { ...draft, allDay, date, endDate: endDate > date ? endDate : date };
  }
  const start = draft.start.startsWith(draft.date) ? draft.start : `${draft.date}T09:00`;
  return { ...draft, allDay, start, end: draft.end > start ? draft.end : addMinutes(start, 60) };
}

/** The draft being edited and the edits the form makes to it (none until an edited event is loaded). */
function useDraft(initial: Draft | undefined, me: Me) {
  const [draft, setDraft] = useState<Draft | undefined>(initial);
  const edit = (update: (current: Draft) => Draft) =>
    setDraft((current) => (current ? update(current) : current));
  const editReminders = (update: (reminders: readonly ReminderDraft[]) => readonly ReminderDraft[]) =>
    edit((current) => ({ ...current, reminders: update(current.reminders) }));
  return {
    draft,
    setDraft,
    change: (update: Partial<Draft>) => edit((current) => ({ ...current, ...update })),
    changeStart: (start: string) => edit((current) => withStart(current, start)),
    toggleAllDay: (allDay: boolean) => edit((current) => withAllDay(current, allDay)),
    changeReminder: (index: number, update: Partial<ReminderDraft>) =>
      editReminders((reminders) =>
        reminders.map((reminder, at) => (at === index ? { ...reminder, ...update } : reminder)),
      ),
    addReminder: () =>
      editReminders((reminders) => [
        ...reminders,
        { key: nextReminderKey++, offset: 'PT15M', channels: ordered(me.defaultChannels) },
      ]),
    removeReminder: (index: number) =>
      editReminders((reminders) => reminders.filter((_, at) => at !== index)),
  };
}

type DraftEdits = Omit<ReturnType<typeof useDraft>, 'draft' | 'setDraft'>;

interface LoadedEvent {
  readonly event: Event;
  readonly etag: string;
}

const STALE_NOTICE =
  'This event was changed somewhere else after you opened it. The form now shows the latest version: make your change again.';

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
  const [loaded, setLoaded] = useState<LoadedEvent | undefined>();
  const { draft, setDraft, ...edits } = useDraft(
    target.kind === 'new' ? newDraft(target, me) : undefined,
    me,
  );
  const [loadError, setLoadError] = useState<string | undefined>();
  const problems = useForm(keyOf);
  const [notice, setNotice] = useState<string | undefined>();
  const [busy, setBusy] = useState<'save' | 'delete' | undefined>();
  const [confirming, setConfirming] = useState(false);
  const titleInput = useRef<HTMLInputElement>(null);
  const focusTitle = () => window.setTimeout(() => titleInput.current?.focus(), 0);

  const load = async (eventId: string) => {
    setLoadError(undefined);
    try {
      const answer = await api.event(eventId);
      setLoaded({ event: answer.body, etag: etagOf(answer) });
      setDraft(draftOf(answer.body));
      return true;
    } catch (error) {
      setLoadError(messageOf(error));
      return false;
    }
  };

  useEffect(() => {
    if (target.kind === 'edit') {
      void load(target.eventId).then((ok) => {
        if (ok) focusTitle();
      });
    } else {
      titleInput.current?.focus();
    }
    // The dialog shows one target for its whole life.
  }, []);

  /** A 412: someone else changed the event; the form shows the latest version and says so. */
  const staleReload = async (eventId: string) => {
    problems.clear();
    if (await load(eventId)) {
      setNotice(STALE_NOTICE);
      focusTitle();
    }
  };

  const recover = async (error: unknown) => {
    if (loaded && hasStatus(error, 412)) await staleReload(loaded.event.id);
    else problems.fail(error);
  };

  /** Saves what changed (closing when nothing did), or creates the event. */
  const send = async (current: Draft) => {
    if (!loaded) {
      await api.createEvent(inputOf(current));
      props.onChanged(`“${current.title.trim()}” added to your calendar.`);
      return;
    }
    const patch = patchOf(current, loaded.event);
    if (Object.keys(patch).length === 0) {
      props.onClose();
      return;
    }
    await api.updateEvent(loaded.event.id, loaded.etag, patch);
    props.onChanged(`“${current.title.trim()}” saved.`);
  };

  const save = async (submit: globalThis.Event) => {
    submit.preventDefault();
    if (!draft) return;
    setNotice(undefined);
    if (!problems.passes(validate(draft))) return;
    setBusy('save');
    try {
      await send(draft);
    } catch (error) {
      await recover(error);
    } finally {
      setBusy(undefined);
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
      await recover(error);
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <Dialog
      title={target.kind === 'new' ? 'New event' : 'Edit event'}
      onClose={props.onClose}
      {...(props.returnFocus ? { returnFocus: props.returnFocus } : {})}
    >
      {!draft ? (
        <EventLoading error={loadError} onRetry={() => target.kind === 'edit' && void load(target.eventId)} />
      ) : (
        <form ref={problems.form} class="event-form" onSubmit={save} noValidate>
          {notice && (
            <div class="alert alert-warning" role="alert">
              <p>{notice}</p>
            </div>
          )}
          <FormAlert messages={problems.general} />
          <EventFields
            draft={draft}
            errors={problems.errors}
            edits={edits}
            titleInput={titleInput}
            recurrence={loaded?.event.recurrence}
          />
          {confirming && loaded ? (
            <DeleteConfirmation
              event={loaded.event}
              busy={busy}
              onDelete={() => void remove()}
              onKeep={() => setConfirming(false)}
            />
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

function EventLoading(props: { error: string | undefined; onRetry: () => void }) {
  return props.error ? (
    <LoadFailed what="The event" message={props.error} onRetry={props.onRetry} />
  ) : (
    <p role="status" class="loading">
      Loading the event…
    </p>
  );
}

interface FieldsProps {
  readonly draft: Draft;
  readonly errors: FieldErrors;
  readonly edits: DraftEdits;
}

function EventFields(
  props: FieldsProps & {
    titleInput: RefObject<HTMLInputElement | null>;
    /** The event's RRULE in words, for a rule the Repeat choices do not have. */
    recurrence: string | undefined;
  },
) {
  const { draft, errors, edits } = props;
  const zoneHint = draft.allDay ? undefined : 'The start and end are times in this zone.';
  return (
    <>
      <InputField
        id="event-title"
        label="Title"
        error={errors.title}
        ref={props.titleInput}
        type="text"
        maxLength={200}
        required
        value={draft.title}
        onInput={(event) => edits.change({ title: event.currentTarget.value })}
      />
      <div class="field checkbox">
        <input
          id="event-all-day"
          type="checkbox"
          checked={draft.allDay}
          onChange={(event) => edits.toggleAllDay(event.currentTarget.checked)}
        />
        <label for="event-all-day">All day</label>
      </div>
      {draft.allDay ? <DayFields {...props} /> : <TimeFields {...props} />}
      <Field id="event-time-zone" label="Time zone" error={errors.timeZone} hint={zoneHint}>
        <TimeZoneInput
          id="event-time-zone"
          value={draft.timeZone}
          error={errors.timeZone}
          hint={zoneHint}
          onInput={(timeZone) => edits.change({ timeZone })}
        />
      </Field>
      <InputField
        id="event-location"
        label="Location (optional)"
        error={errors.location}
        type="text"
        maxLength={200}
        value={draft.location}
        onInput={(event) => edits.change({ location: event.currentTarget.value })}
      />
      <Field id="event-notes" label="Notes (optional)" error={errors.notes}>
        <textarea
          {...controlProps('event-notes', errors.notes)}
          rows={3}
          maxLength={2000}
          value={draft.notes}
          onInput={(event) => edits.change({ notes: event.currentTarget.value })}
        />
      </Field>
      <RepeatField {...props} />
      <RemindersFieldset {...props} />
    </>
  );
}

function DayFields({ draft, errors, edits }: FieldsProps) {
  return (
    <div class="field-row">
      <InputField
        id="event-date"
        label="Date"
        error={errors.date}
        type="date"
        required
        value={draft.date}
        onInput={(event) => {
          const date = event.currentTarget.value;
          edits.change({ date, endDate: draft.endDate < date ? date : draft.endDate });
        }}
      />
      <InputField
        id="event-end-date"
        label="Last day"
        error={errors.endDate}
        type="date"
        min={draft.date}
        max={draft.date ? addDays(draft.date, 30) : undefined}
        value={draft.endDate}
        onInput={(event) => edits.change({ endDate: event.currentTarget.value })}
      />
    </div>
  );
}

function TimeFields({ draft, errors, edits }: FieldsProps) {
  return (
    <div class="field-row">
      <InputField
        id="event-start"
        label="Starts"
        error={errors.start}
        type="datetime-local"
        required
        value={draft.start}
        onInput={(event) => edits.changeStart(event.currentTarget.value)}
      />
      <InputField
        id="event-end"
        label="Ends"
        error={errors.end}
        type="datetime-local"
        required
        min={draft.start}
        value={draft.end}
        onInput={(event) => edits.change({ end: event.currentTarget.value })}
      />
    </div>
  );
}

function RepeatField({ draft, errors, edits, recurrence }: FieldsProps & { recurrence: string | undefined }) {
  const custom =
    draft.repeat && !REPEATS.some(([value]) => value === draft.repeat) ? draft.repeat : undefined;
  return (
    <Field id="event-repeat" label="Repeat" error={errors.repeat}>
      <select
        {...controlProps('event-repeat', errors.repeat)}
        value={draft.repeat}
        onChange={(event) => edits.change({ repeat: event.currentTarget.value })}
      >
        {REPEATS.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
        {custom && <option value={custom}>{recurrence ?? custom} (as set elsewhere)</option>}
      </select>
    </Field>
  );
}

function RemindersFieldset({ draft, errors, edits }: FieldsProps) {
  const addButton = useRef<HTMLButtonElement>(null);
  const remove = (index: number) => {
    edits.removeReminder(index);
    // The removed row's button is gone: focus goes to the list's own button.
    window.setTimeout(() => addButton.current?.focus(), 0);
  };
  return (
    <fieldset class="reminders">
      <legend>Reminders</legend>
      {errors.reminders && (
        <p class="field-error" id="event-reminders-error">
          {errors.reminders}
        </p>
      )}
      {draft.reminders.length === 0 && <p class="hint">No reminders.</p>}
      <ol class="reminder-rows">
        {draft.reminders.map((reminder, index) => (
          <ReminderRow
            key={reminder.key}
            reminder={reminder}
            index={index}
            error={errors[`reminders.${index}`]}
            onChange={(update) => edits.changeReminder(index, update)}
            onRemove={() => remove(index)}
          />
        ))}
      </ol>
      <button
        type="button"
        id="event-add-reminder"
        ref={addButton}
        disabled={draft.reminders.length >= MAX_REMINDERS}
        onClick={edits.addReminder}
      >
        Add reminder
      </button>
    </fieldset>
  );
}

function ReminderRow(props: {
  reminder: ReminderDraft;
  index: number;
  error: string | undefined;
  onChange: (update: Partial<ReminderDraft>) => void;
  onRemove: () => void;
}) {
  const { reminder, index, error } = props;
  const id = `event-reminder-${index}`;
  return (
    <li class={error ? 'reminder-row has-error' : 'reminder-row'}>
      <div class="field">
        <label for={`${id}-offset`}>Reminder {index + 1}</label>
        <select
          {...controlProps(`${id}-offset`, error)}
          value={reminder.offset}
          onChange={(event) => props.onChange({ offset: event.currentTarget.value })}
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
                props.onChange({
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
        onClick={props.onRemove}
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
}

function DeleteConfirmation(props: {
  event: Event;
  busy: 'save' | 'delete' | undefined;
  onDelete: () => void;
  onKeep: () => void;
}) {
  const keepButton = useRef<HTMLButtonElement>(null);
  // Focus goes to the safe choice when the question appears.
  useEffect(() => keepButton.current?.focus(), []);
  return (
    <div class="confirm">
      <p id="event-confirm-text">
        Delete “{props.event.title}”?{' '}
        {props.event.rrule
          ? 'Every occurrence of the series goes, with its reminders.'
          : 'Its reminders are cancelled.'}
      </p>
      <div class="actions">
        <button
          type="button"
          class="danger"
          aria-describedby="event-confirm-text"
          disabled={props.busy !== undefined}
          onClick={props.onDelete}
        >
          {props.busy === 'delete' ? 'Deleting…' : 'Delete event'}
        </button>
        <button type="button" ref={keepButton} aria-describedby="event-confirm-text" onClick={props.onKeep}>
          Keep it
        </button>
      </div>
    </div>
  );
}
