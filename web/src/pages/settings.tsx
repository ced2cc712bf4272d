/**
 * Settings (PATCH /me with the fields that changed): time zone, default reminder channels, quiet hours; and
 * the private calendar feed, whose URL is shown once when made (only its hash is kept).
 */
import { useRef, useState } from 'preact/hooks';
import { announce } from '../announce';
import { type Api, endsSession, messageOf } from '../api';
import { Field, type FieldErrors, FormAlert, InputField, useForm } from '../components/field';
import { PageFrame } from '../components/page-frame';
import { TimeZoneInput } from '../components/time-zone-input';
import { isTimeZone } from '../time';
import { CHANNEL_LABELS, CHANNELS, type Channel, type Me, type MePatch } from '../types';

/** The preferences as the form holds them. */
interface Preferences {
  readonly timeZone: string;
  readonly channels: readonly Channel[];
  readonly quiet: boolean;
  readonly quietStart: string;
  readonly quietEnd: string;
}

function validate(preferences: Preferences): FieldErrors {
  const { timeZone, channels, quiet, quietStart, quietEnd } = preferences;
  const found: FieldErrors = {};
  if (!isTimeZone(timeZone.trim())) found.timeZone = 'Choose a time zone from the list, like Europe/Paris.';
  if (channels.length === 0) found.defaultChannels = 'Choose at least one channel.';
  if (quiet && !/^\d{2}:\d{2}$/.test(quietStart)) found.quietStart = 'Enter a time, like 22:00.';
  if (quiet && !/^\d{2}:\d{2}$/.test(quietEnd)) found.quietEnd = 'Enter a time, like 07:00.';
  return found;
}

/** PATCH /me with what changed from the settings as read. */
function patchOf(preferences: Preferences, me: Me): MePatch {
  const { timeZone, channels, quiet, quietStart, quietEnd } = preferences;
  const patch: MePatch = {};
  if (timeZone.trim() !== me.timeZone) patch.timeZone = timeZone.trim();
  const ordered = CHANNELS.filter((channel) => channels.includes(channel));
  if (ordered.join() !== CHANNELS.filter((channel) => me.defaultChannels.includes(channel)).join()) {
    patch.defaultChannels = ordered;
  }
  if (!quiet && me.quietHours) patch.quietHours = null;
  if (quiet && (me.quietHours?.start !== quietStart || me.quietHours?.end !== quietEnd)) {
    patch.quietHours = { start: quietStart, end: quietEnd };
  }
  return patch;
}

/** The form field a problem's JSON pointer is about. */
function keyOf(pointer: string): string | undefined {
  if (pointer.startsWith('/quietHours/start')) return 'quietStart';
  if (pointer.startsWith('/quietHours/end')) return 'quietEnd';
  if (pointer.startsWith('/defaultChannels')) return 'defaultChannels';
  return pointer === '/timeZone' ? 'timeZone' : undefined;
}

function PreferencesForm(props: { api: Api; me: Me; onSaved: (me: Me) => void }) {
  const { me } = props;
  const [timeZone, setTimeZone] = useState(me.timeZone);
  const [channels, setChannels] = useState<readonly Channel[]>(me.defaultChannels);
  const [quiet, setQuiet] = useState(me.quietHours !== undefined);
  const [quietStart, setQuietStart] = useState(me.quietHours?.start ?? '22:00');
  const [quietEnd, setQuietEnd] = useState(me.quietHours?.end ?? '07:00');
  const { errors, general, busy, form, passes, send } = useForm(keyOf);
  const [saved, setSaved] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setSaved(false);
    const preferences = { timeZone, channels, quiet, quietStart, quietEnd };
    if (!passes(validate(preferences))) return;
    const patch = patchOf(preferences, me);
    if (Object.keys(patch).length === 0) {
      setSaved(true);
      return;
    }
    await send(async () => {
      const updated = await props.api.updateMe(patch);
      setSaved(true);
      announce('Settings saved.');
      props.onSaved(updated);
    });
  };

  return (
    <form ref={form} class="card" onSubmit={submit} noValidate aria-labelledby="preferences-heading">
      <h2 id="preferences-heading">Preferences</h2>
      <FormAlert messages={general} />
      <Field
        id="settings-time-zone"
        label="Time zone"
        error={errors.timeZone}
        hint="Type to search, e.g. Paris or New_York. Reminders set for a time of day move with it."
      >
        <TimeZoneInput
          id="settings-time-zone"
          value={timeZone}
          error={errors.timeZone}
          hint="Type to search, e.g. Paris or New_York. Reminders set for a time of day move with it."
          onInput={setTimeZone}
        />
      </Field>
      <fieldset
        class={errors.defaultChannels ? 'field has-error' : 'field'}
        aria-describedby={errors.defaultChannels ? 'settings-channels-error' : undefined}
      >
        <legend>Send reminders by</legend>
        {CHANNELS.map((channel) => (
          <label key={channel} class="inline-check">
            <input
              type="checkbox"
              checked={channels.includes(channel)}
              aria-invalid={errors.defaultChannels ? 'true' : undefined}
              onChange={(event) =>
                setChannels(
                  event.currentTarget.checked
                    ? [...channels, channel]
                    : channels.filter((other) => other !== channel),
                )
              }
            />
            {CHANNEL_LABELS[channel]}
            {channel === 'messenger' && !me.messengerLinked && ' (not linked yet)'}
          </label>
        ))}
        {errors.defaultChannels && (
          <p class="field-error" id="settings-channels-error">
            {errors.defaultChannels}
          </p>
        )}
      </fieldset>
      <fieldset class="field">
        <legend>Quiet hours</legend>
        <p class="hint" id="quiet-hint">
          Messenger reminders arrive without a sound between these times.
        </p>
        <label class="inline-check">
          <input
            type="checkbox"
            checked={quiet}
            aria-describedby="quiet-hint"
            onChange={(event) => setQuiet(event.currentTarget.checked)}
          />
          Quiet hours on
        </label>
        {quiet && (
          <div class="field-row">
            <InputField
              id="settings-quiet-start"
              label="From"
              error={errors.quietStart}
              type="time"
              value={quietStart}
              onInput={(event) => setQuietStart(event.currentTarget.value)}
            />
            <InputField
              id="settings-quiet-end"
              label="Until"
              error={errors.quietEnd}
              type="time"
              value={quietEnd}
              onInput={(event) => setQuietEnd(event.currentTarget.value)}
            />
          </div>
        )}
      </fieldset>
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save settings'}
        </button>
        <span role="status" class="saved">
          {saved ? 'Saved.' : ''}
        </span>
      </div>
    </form>
  );
}

function CalendarFeed(props: { api: Api; me: Me; onChanged: (me: Me) => void }) {
  const { api, me } = props;
  const [url, setUrl] = useState<string | undefined>();
  const [busy, setBusy] = useState<'create' | 'revoke' | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [copied, setCopied] = useState(false);
  const urlInput = useRef<HTMLInputElement>(null);

  const run = async (kind: 'create' | 'revoke') => {
    setBusy(kind);
    setError(undefined);
    setCopied(false);
    try {
      if (kind === 'create') {
        const feed = await api.createFeed();
        setUrl(feed.url);
        props.onChanged({ ...me, calendarFeed: true });
        announce('Calendar feed URL made. It is shown only now.');
        window.setTimeout(() => urlInput.current?.select(), 0);
      } else {
        await api.revokeFeed();
        setUrl(undefined);
        props.onChanged({ ...me, calendarFeed: false });
        announce('Calendar feed revoked.');
      }
    } catch (failure) {
      if (!endsSession(failure)) setError(messageOf(failure));
    } finally {
      setBusy(undefined);
    }
  };

  const copy = async () => {
    if (!url) return;
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
    } catch {
      // No clipboard permission: the URL is selected for a manual copy instead.
      urlInput.current?.select();
    }
  };

  return (
    <section class="card" aria-labelledby="feed-heading">
      <h2 id="feed-heading">Calendar feed</h2>
      <p>
        Subscribe to your events from Google Calendar, Apple Calendar or Outlook with a private address.{' '}
        {me.calendarFeed ? 'A feed address is active.' : 'No feed address is active.'}
      </p>
      {url && (
        <div class="feed-url">
          <div class="field">
            <label for="feed-url">Feed address</label>
            <p class="hint" id="feed-url-hint">
              Copy it now: it is shown only once. Anyone with it can read your calendar.
            </p>
            <input
              id="feed-url"
              ref={urlInput}
              type="text"
              readOnly
              value={url}
              aria-describedby="feed-url-hint"
              onFocus={(event) => event.currentTarget.select()}
            />
          </div>
          <div class="actions">
            <button type="button" onClick={() => void copy()}>
              Copy address
            </button>
            <span role="status">{copied ? 'Copied.' : ''}</span>
          </div>
        </div>
      )}
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button
          type="button"
          class="primary"
          disabled={busy !== undefined}
          onClick={() => void run('create')}
        >
          {busy === 'create' ? 'Making…' : me.calendarFeed ? 'Replace feed address' : 'Make feed address'}
        </button>
        {me.calendarFeed && (
          <button
            type="button"
            class="danger"
            disabled={busy !== undefined}
            onClick={() => void run('revoke')}
          >
            {busy === 'revoke' ? 'Revoking…' : 'Revoke feed'}
          </button>
        )}
      </div>
    </section>
  );
}

export function SettingsPage(props: { api: Api; me: Me; onMeChanged: (me: Me) => void }) {
  return (
    <PageFrame pageClass="settings-page" title="Settings">
      {props.me.email && (
        <p>
          Signed in as <strong>{props.me.email}</strong>.
        </p>
      )}
      <PreferencesForm api={props.api} me={props.me} onSaved={props.onMeChanged} />
      <CalendarFeed api={props.api} me={props.me} onChanged={props.onMeChanged} />
    </PageFrame>
  );
}
