/**
 * The calendar: FullCalendar's week (default), day and month views in the person's zone (luxon plugin),
 * fed from GET /events for the visible range. Selecting a slot creates an event, clicking one edits it, and
 * dragging a one-off event moves it (PATCH with If-Match). Phones get the day view.
 */
import {
  Calendar,
  type EventApi,
  type EventDropArg,
  type EventInput,
  type EventSourceFuncArg,
} from '@fullcalendar/core';
import dayGridPlugin from '@fullcalendar/daygrid';
import interactionPlugin, { type EventResizeDoneArg } from '@fullcalendar/interaction';
import luxonPlugin from '@fullcalendar/luxon3';
import timeGridPlugin from '@fullcalendar/timegrid';
import { DateTime } from 'luxon';
import { useEffect, useRef, useState } from 'preact/hooks';
import { announce } from '../announce';
import { type Api, endsSession, etagOf, hasStatus, messageOf } from '../api';
import { LoadFailed } from '../components/load-failed';
import { PageFrame } from '../components/page-frame';
import { addDays, addMinutes, wallTime } from '../time';
import type { Event, EventPatch, Me, Occurrence } from '../types';
import { EventDialog, type EventDialogTarget } from './event-dialog';

const PHONE = '(max-width: 639px)';

const toolbars = (phone: boolean) =>
  phone
    ? {
        headerToolbar: { left: 'prev,next', center: 'title', right: 'today' },
        footerToolbar: { center: 'timeGridDay,dayGridMonth' },
      }
    : {
        headerToolbar: {
          left: 'prev,next today',
          center: 'title',
          right: 'timeGridDay,timeGridWeek,dayGridMonth',
        },
        footerToolbar: false as const,
      };

/** An occurrence as FullCalendar's input: instants for timed ones (shown in the calendar's zone), dates for all-day. */
function toCalendarEvent(occurrence: Occurrence): EventInput {
  const allDay = occurrence.allDay && occurrence.date !== undefined;
  return {
    id: `${occurrence.eventId}/${occurrence.startsAt}`,
    title: occurrence.title,
    allDay,
    start: allDay ? occurrence.date : occurrence.startsAt,
    // FullCalendar's end is exclusive; the API's endDate is the last day.
    end: allDay ? addDays(occurrence.endDate ?? occurrence.date ?? '', 1) : occurrence.endsAt,
    // Moving one occurrence of a series would move them all: series are changed in the dialog.
    editable: !occurrence.recurring,
    classNames: occurrence.recurring ? ['is-recurring'] : [],
    extendedProps: { occurrence },
  };
}

/**
 * Gaps in FullCalendar's markup, mended after each render of dates or events:
 * - its arrow icons are role="img" without a name, inside buttons named by their title: hidden from
 *   assistive technology, the buttons keep their names ("Previous week");
 * - nothing in the pane that scrolls through the hours takes focus, so a keyboard cannot scroll it
 *   (WCAG 2.1.1). Each day's column (a gridcell of FullCalendar's grid) becomes focusable: arrow keys then
 *   scroll the hours, and Enter adds an event on that day (see onGridKey).
 */
function patchAccessibility(element: HTMLElement): void {
  for (const icon of element.querySelectorAll('.fc-icon')) icon.setAttribute('aria-hidden', 'true');
  // A month cell is named by its day number alone, hiding the events it shows: the date becomes its
  // description and the cell's content (day and events) its name.
  for (const cell of element.querySelectorAll<HTMLElement>('td.fc-daygrid-day[aria-labelledby]')) {
    cell.setAttribute('aria-describedby', cell.getAttribute('aria-labelledby') ?? '');
    cell.removeAttribute('aria-labelledby');
  }
  for (const column of element.querySelectorAll<HTMLElement>('td.fc-timegrid-col[data-date]')) {
    column.tabIndex = 0;
    // A description, not a name: the cell's name is its events, as the grid's column header names the day.
    column.setAttribute('aria-describedby', GRID_HINT_ID);
  }
}

const GRID_HINT_ID = 'calendar-grid-hint';

function scrollTimeFor(zone: string): string {
  const hour = Math.max(0, DateTime.now().setZone(zone).hour - 1);
  return `${String(hour).padStart(2, '0')}:00:00`;
}

/** The occurrence behind a calendar event; none for the mirror FullCalendar draws while selecting. */
const occurrenceOf = (extendedProps: Record<string, unknown>) =>
  extendedProps.occurrence as Occurrence | undefined;

/**
 * Where a drag or resize put an event, as a patch in the event's own zone (an all-day drop on a timed event
 * makes it all-day, and back); none when FullCalendar gives no start.
 */
function movePatch(moved: EventApi, event: Event): EventPatch | undefined {
  if (!moved.start) return undefined;
  if (moved.allDay) {
    const date = moved.startStr.slice(0, 10);
    const endDate = moved.endStr ? addDays(moved.endStr.slice(0, 10), -1) : date;
    return {
      date,
      endDate: endDate > date ? endDate : null,
      ...(event.allDay ? {} : { start: null, end: null }),
    };
  }
  const start = wallTime(moved.start, event.timeZone);
  const end = moved.end ? wallTime(moved.end, event.timeZone) : addMinutes(start, 60);
  return { start, end, ...(event.allDay ? { date: null, endDate: null } : {}) };
}

/** Why a move failed, in words; none when the session ended (the app goes back to sign-in). */
function moveFailure(error: unknown, title: string): string | undefined {
  if (endsSession(error)) return undefined;
  return hasStatus(error, 412)
    ? `“${title}” was changed somewhere else meanwhile; the calendar now shows the latest version.`
    : `“${title}” could not be moved: ${messageOf(error)}`;
}

export function CalendarPage(props: { api: Api; me: Me }) {
  const { api, me } = props;
  const host = useRef<HTMLDivElement>(null);
  const calendarRef = useRef<Calendar | undefined>(undefined);
  const newButton = useRef<HTMLButtonElement>(null);
  const [dialog, setDialog] = useState<EventDialogTarget | undefined>();
  const [loading, setLoading] = useState(false);
  const [loadError, setLoadError] = useState<string | undefined>();
  const [moveError, setMoveError] = useState<string | undefined>();
  // Where the person was, kept across a rebuild of the calendar (a new time zone).
  const position = useRef<{ view?: string; date?: Date }>({});

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const phoneQuery = window.matchMedia(PHONE);
    const zone = me.timeZone;

    const loadEvents = (
      info: EventSourceFuncArg,
      success: (events: EventInput[]) => void,
      failure: (error: Error) => void,
    ) => {
      // The range in the calendar's zone: from its first day to the day before its exclusive end.
      const from = info.startStr.slice(0, 10);
      const to = addDays(info.endStr.slice(0, 10), -1);
      api
        .occurrences(from, to, zone)
        .then((items) => {
          setLoadError(undefined);
          success(items.map(toCalendarEvent));
        })
        .catch((error: unknown) => {
          if (!endsSession(error)) setLoadError(messageOf(error));
          failure(error instanceof Error ? error : new Error(messageOf(error)));
        });
    };

    /** A drag or resize of a one-off event: read its ETag, then move it in its own zone. */
    const move = async (info: EventDropArg | EventResizeDoneArg) => {
      const occurrence = occurrenceOf(info.event.extendedProps);
      if (!occurrence) return;
      setMoveError(undefined);
      try {
        const answer = await api.event(occurrence.eventId);
        const patch = movePatch(info.event, answer.body);
        if (!patch) return;
        await api.updateEvent(occurrence.eventId, etagOf(answer), patch);
        announce(`“${occurrence.title}” moved.`);
        calendarRef.current?.refetchEvents();
      } catch (error) {
        info.revert();
        const failure = moveFailure(error, occurrence.title);
        if (failure === undefined) return;
        setMoveError(failure);
        calendarRef.current?.refetchEvents();
      }
    };

    const calendar = new Calendar(element, {
      plugins: [dayGridPlugin, timeGridPlugin, interactionPlugin, luxonPlugin],
      timeZone: zone,
      initialView: position.current.view ?? (phoneQuery.matches ? 'timeGridDay' : 'timeGridWeek'),
      ...(position.current.date ? { initialDate: position.current.date } : {}),
      ...toolbars(phoneQuery.matches),
      buttonText: { today: 'Today', day: 'Day', week: 'Week', month: 'Month' },
      buttonHints: { prev: 'Previous $0', next: 'Next $0', today: 'Go to today' },
      // The browser's language for dates (FullCalendar's own texts stay English: buttonText above).
      locale: navigator.language,
      firstDay: 1,
      height: '100%',
      // Open on the hour before now, so that "now" is on screen (on a phone only a few hours fit).
      scrollTime: scrollTimeFor(zone),
      nowIndicator: true,
      selectable: true,
      selectMirror: true,
      editable: true,
      // Events are focusable and open with Enter, so the calendar works without a pointer.
      eventInteractive: true,
      dayMaxEvents: true,
      slotLabelFormat: { hour: '2-digit', minute: '2-digit', hour12: false },
      eventTimeFormat: { hour: '2-digit', minute: '2-digit', hour12: false },
      events: loadEvents,
      loading: setLoading,
      datesSet: (info) => {
        position.current = { view: info.view.type, date: calendar.getDate() };
        patchAccessibility(element);
      },
      eventsSet: () => patchAccessibility(element),
      eventDidMount: (info) => {
        const occurrence = occurrenceOf(info.event.extendedProps);
        if (!occurrence) return;
        const when = info.event.allDay
          ? 'all day'
          : `${info.timeText}${occurrence.timeZone !== zone ? ` (${zone})` : ''}`;
        const parts = [
          info.event.title,
          when,
          occurrence.location,
          occurrence.recurring ? 'repeats' : undefined,
        ];
        info.el.setAttribute('aria-label', parts.filter(Boolean).join(', '));
      },
      select: (info) => {
        calendar.unselect();
        if (info.allDay) {
          setDialog({
            kind: 'new',
            allDay: true,
            date: info.startStr.slice(0, 10),
            endDate: addDays(info.endStr.slice(0, 10), -1),
          });
        } else {
          setDialog({ kind: 'new', start: wallTime(info.start, zone), end: wallTime(info.end, zone) });
        }
      },
      eventClick: (info) => {
        info.jsEvent.preventDefault();
        const occurrence = occurrenceOf(info.event.extendedProps);
        if (occurrence) setDialog({ kind: 'edit', eventId: occurrence.eventId });
      },
      eventDrop: (info) => void move(info),
      eventResize: (info) => void move(info),
    });
    calendar.render();
    calendarRef.current = calendar;

    // Enter (or Space) on a focused day column: a new event at 09:00 that day.
    const onGridKey = (key: KeyboardEvent) => {
      const column = key.target instanceof HTMLElement ? key.target : undefined;
      if ((key.key !== 'Enter' && key.key !== ' ') || !column?.matches('td.fc-timegrid-col[data-date]'))
        return;
      key.preventDefault();
      const start = `${column.dataset.date}T09:00`;
      setDialog({ kind: 'new', start, end: addMinutes(start, 60) });
    };
    element.addEventListener('keydown', onGridKey);

    const onPhoneChange = (query: MediaQueryListEvent) => {
      calendar.setOption('headerToolbar', toolbars(query.matches).headerToolbar);
      calendar.setOption('footerToolbar', toolbars(query.matches).footerToolbar);
      patchAccessibility(element);
      if (query.matches && calendar.view.type === 'timeGridWeek') calendar.changeView('timeGridDay');
      if (!query.matches && calendar.view.type === 'timeGridDay') calendar.changeView('timeGridWeek');
    };
    phoneQuery.addEventListener('change', onPhoneChange);
    return () => {
      phoneQuery.removeEventListener('change', onPhoneChange);
      element.removeEventListener('keydown', onGridKey);
      calendar.destroy();
      calendarRef.current = undefined;
    };
  }, [api, me.timeZone]);

  const changed = (message: string) => {
    setDialog(undefined);
    announce(message);
    calendarRef.current?.refetchEvents();
  };

  return (
    <PageFrame
      pageClass="calendar-page"
      title="Calendar"
      action={
        <>
          <p class="zone-note">
            Times in <strong>{me.timeZone}</strong>
          </p>
          <button type="button" class="primary" ref={newButton} onClick={() => setDialog({ kind: 'new' })}>
            New event
          </button>
        </>
      }
    >
      <div class="calendar-status" aria-live="polite">
        {loading && <p class="loading">Loading events…</p>}
      </div>
      {loadError && (
        <LoadFailed
          what="The events"
          message={loadError}
          onRetry={() => calendarRef.current?.refetchEvents()}
        />
      )}
      {moveError && (
        <div class="alert alert-warning" role="alert">
          <p>{moveError}</p>
          <button type="button" class="link-button" onClick={() => setMoveError(undefined)}>
            Dismiss
          </button>
        </div>
      )}
      <p id={GRID_HINT_ID} class="visually-hidden">
        Enter adds an event on this day. Arrow keys scroll through the hours.
      </p>
      <div class="calendar-host" ref={host} />
      {dialog && (
        <EventDialog
          api={api}
          me={me}
          target={dialog}
          onClose={() => setDialog(undefined)}
          onChanged={changed}
          returnFocus={() => newButton.current}
        />
      )}
    </PageFrame>
  );
}
