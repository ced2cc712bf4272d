/**
 * Pending reminders, soonest first: snooze or cancel each, or set a new one from a phrase ("tomorrow at 9",
 * "every weekday at 8") read by the same parser as the chat.
 */
import { useEffect, useState } from 'preact/hooks';
import { announce } from '../announce';
import { type Api, endsSession, messageOf } from '../api';
import { type FieldErrors, FormAlert, InputField, useForm } from '../components/field';
import { LoadFailed } from '../components/load-failed';
import { PageFrame } from '../components/page-frame';
import { formatInstant, formatWall } from '../time';
import type { Me, Reminder } from '../types';

const SNOOZES: ReadonlyArray<readonly [number, string]> = [
  [10, '10 minutes'],
  [30, '30 minutes'],
  [60, '1 hour'],
  [1440, '1 day'],
];

/** The form field a problem's JSON pointer is about. */
function keyOf(pointer: string): string | undefined {
  const key = pointer.replace(/^\//, '');
  return key === 'title' || key === 'when' ? key : undefined;
}

function NewReminderForm(props: { api: Api; onCreated: (reminder: Reminder) => void }) {
  const [title, setTitle] = useState('');
  const [when, setWhen] = useState('');
  const { errors, general, busy, form, passes, send } = useForm(keyOf);

  const submit = async (event: Event) => {
    event.preventDefault();
    const found: FieldErrors = {};
    if (!title.trim()) found.title = 'Say what to remind you of.';
    if (!when.trim()) found.when = 'Say when, like “tomorrow at 9” or “in 20 minutes”.';
    if (!passes(found)) return;
    await send(async () => {
      const reminder = await props.api.createReminder({ title: title.trim(), when: when.trim() });
      setTitle('');
      setWhen('');
      props.onCreated(reminder);
    });
  };

  return (
    <form
      ref={form}
      class="card new-reminder"
      onSubmit={submit}
      noValidate
      aria-labelledby="new-reminder-heading"
    >
      <h2 id="new-reminder-heading">New reminder</h2>
      <FormAlert messages={general} />
      <div class="field-row">
        <InputField
          id="reminder-title"
          label="Remind me to"
          error={errors.title}
          type="text"
          maxLength={200}
          value={title}
          onInput={(event) => setTitle(event.currentTarget.value)}
        />
        <InputField
          id="reminder-when"
          label="When"
          error={errors.when}
          hint="For example: tomorrow at 9, in 20 minutes, every weekday at 8"
          type="text"
          maxLength={200}
          value={when}
          onInput={(event) => setWhen(event.currentTarget.value)}
        />
      </div>
      <button type="submit" class="primary" disabled={busy}>
        {busy ? 'Setting…' : 'Set reminder'}
      </button>
    </form>
  );
}

function ReminderItem(props: { api: Api; me: Me; reminder: Reminder; onChanged: (message: string) => void }) {
  const { api, reminder } = props;
  const [minutes, setMinutes] = useState(10);
  const [busy, setBusy] = useState<'snooze' | 'cancel' | undefined>();
  const [error, setError] = useState<string | undefined>();
  const headingId = `reminder-${reminder.id}`;

  const act = async (kind: 'snooze' | 'cancel') => {
    setBusy(kind);
    setError(undefined);
    try {
      if (kind === 'snooze') {
        const snoozed = await api.snoozeReminder(reminder.id, minutes);
        props.onChanged(`“${reminder.title}” snoozed to ${formatWall(snoozed.nextDueLocal)}.`);
      } else {
        await api.cancelReminder(reminder.id);
        props.onChanged(`“${reminder.title}” cancelled.`);
      }
    } catch (failure) {
      if (!endsSession(failure)) setError(messageOf(failure));
    } finally {
      setBusy(undefined);
    }
  };

  const elsewhere = reminder.timeZone !== props.me.timeZone;
  return (
    <li class="card reminder" aria-labelledby={headingId}>
      <h3 id={headingId}>{reminder.title}</h3>
      <p class="due">
        <time dateTime={reminder.nextDueAt}>{formatWall(reminder.nextDueLocal)}</time>
        {elsewhere && (
          <span class="zone">
            {' '}
            in {reminder.timeZone} ({formatInstant(reminder.nextDueAt, props.me.timeZone)} your time)
          </span>
        )}
      </p>
      {reminder.recurrence && <p class="meta">Repeats {reminder.recurrence}</p>}
      {reminder.status === 'scheduling' && <p class="meta">Being scheduled…</p>}
      {reminder.eventId && <p class="meta">Part of an event: change it from the calendar.</p>}
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <label class="visually-hidden" for={`${headingId}-snooze`}>
          Snooze “{reminder.title}” for
        </label>
        <select
          id={`${headingId}-snooze`}
          value={minutes}
          onChange={(event) => setMinutes(Number(event.currentTarget.value))}
        >
          {SNOOZES.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
        <button
          type="button"
          disabled={busy !== undefined}
          aria-label={`Snooze “${reminder.title}”`}
          onClick={() => void act('snooze')}
        >
          {busy === 'snooze' ? 'Snoozing…' : 'Snooze'}
        </button>
        {!reminder.eventId && (
          <button
            type="button"
            class="danger"
            disabled={busy !== undefined}
            aria-label={`Cancel reminder “${reminder.title}”`}
            onClick={() => void act('cancel')}
          >
            {busy === 'cancel' ? 'Cancelling…' : 'Cancel reminder'}
          </button>
        )}
      </div>
    </li>
  );
}

export function RemindersPage(props: { api: Api; me: Me }) {
  const { api } = props;
  const [reminders, setReminders] = useState<Reminder[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);

  const load = async () => {
    setLoading(true);
    try {
      setReminders(await api.reminders());
      setError(undefined);
    } catch (failure) {
      if (!endsSession(failure)) setError(messageOf(failure));
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    void load();
  }, []);

  const changed = (message: string) => {
    announce(message);
    void load();
  };

  return (
    <PageFrame pageClass="reminders-page" title="Reminders">
      <NewReminderForm
        api={api}
        onCreated={(reminder) =>
          changed(`Reminder set: “${reminder.title}”, ${formatWall(reminder.nextDueLocal)}.`)
        }
      />
      <section aria-labelledby="upcoming-heading">
        <h2 id="upcoming-heading">Upcoming</h2>
        <div aria-live="polite">{loading && <p class="loading">Loading reminders…</p>}</div>
        {error && <LoadFailed what="The reminders" message={error} onRetry={() => void load()} />}
        {reminders && reminders.length === 0 && <p class="empty">No reminders are waiting.</p>}
        {reminders && reminders.length > 0 && (
          <ul class="reminder-list">
            {reminders.map((reminder) => (
              <ReminderItem
                key={reminder.id}
                api={api}
                me={props.me}
                reminder={reminder}
                onChanged={changed}
              />
            ))}
          </ul>
        )}
      </section>
    </PageFrame>
  );
}
