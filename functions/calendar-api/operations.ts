/**
 * The REST API's operations, in one table: the CDK stack makes a route of each, the handler dispatches on
 * it, and the OpenAPI document (/openapi.json) is built from it and the schemas in events-schema/api/.
 * Bodies name definitions of events-schema/api/resources.json.
 */
export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/**
 * session: the Bearer access token, checked by the API Gateway authorizer; admin: a session whose token
 * carries the admin claim and whose address still holds the grant; public: none.
 */
export type Access = 'session' | 'admin' | 'public';

/** The function that serves an operation: the REST API's own, or the analytics function (Athena). */
export type Backend = 'api' | 'analytics';

export interface QueryParameter {
  readonly name: string;
  readonly description: string;
  readonly required?: boolean;
}

export interface Operation {
  readonly operationId: string;
  readonly method: Method;
  /** API Gateway route path, `{name}` for a path parameter. */
  readonly path: string;
  readonly summary: string;
  readonly access: Access;
  /** Default: the REST API's function. */
  readonly backend?: Backend;
  readonly requestBody?: string;
  readonly query?: readonly QueryParameter[];
  /** Headers the operation reads, beyond Authorization. */
  readonly headers?: readonly QueryParameter[];
  /**
   * Success status → body definition, plus the content type when not JSON. Neither: no body; a content type
   * alone: a body that is not a definition (the iCalendar feed, the OpenAPI document).
   */
  readonly success: { readonly status: number; readonly body?: string; readonly contentType?: string };
  /** Error statuses the operation answers with a Problem (401 is implied by session access). */
  readonly problems: readonly number[];
}

const IF_MATCH = {
  name: 'If-Match',
  description: 'The ETag (version) the change was made from; a stale one is refused with 412.',
};
const IDEMPOTENCY_KEY = {
  name: 'Idempotency-Key',
  description: 'Any unique string: a retried request with the same key creates nothing new.',
};
const PAGE = [
  { name: 'limit', description: 'Items per page, 1 to 500 (default 100).' },
  { name: 'cursor', description: 'The nextCursor of the previous page.' },
];
/** 403 (not an admin) and 404 (no such user) on every operation on one user. */
const ADMIN_USER_PROBLEMS = [403, 404];

export const OPERATIONS: readonly Operation[] = [
  {
    operationId: 'getOpenApi',
    method: 'GET',
    path: '/openapi.json',
    summary: 'This OpenAPI 3.1 document',
    access: 'public',
    // The document is JSON but not one of the definitions: a content type and no body name.
    success: { status: 200, contentType: 'application/json' },
    problems: [],
  },
  {
    operationId: 'createEvent',
    method: 'POST',
    path: '/events',
    summary: 'Create an event (and its reminders)',
    access: 'session',
    requestBody: 'EventInput',
    headers: [IDEMPOTENCY_KEY],
    success: { status: 201, body: 'Event' },
    problems: [400, 409, 413, 415],
  },
  {
    operationId: 'listOccurrences',
    method: 'GET',
    path: '/events',
    summary: 'Occurrences of the events in a range, recurring ones expanded, in start order',
    access: 'session',
    query: [
      {
        name: 'from',
        description: 'A date (YYYY-MM-DD, from its start) or a date-time; read in timeZone.',
        required: true,
      },
      {
        name: 'to',
        description:
          'A date (up to its end, inclusive) or a date-time (exclusive); at most 366 days after from.',
        required: true,
      },
      { name: 'timeZone', description: "The zone from and to are read in (default: the person's)." },
      ...PAGE,
    ],
    success: { status: 200, body: 'OccurrencePage' },
    problems: [400],
  },
  {
    operationId: 'getEvent',
    method: 'GET',
    path: '/events/{id}',
    summary: 'One event',
    access: 'session',
    success: { status: 200, body: 'Event' },
    problems: [404],
  },
  {
    operationId: 'updateEvent',
    method: 'PATCH',
    path: '/events/{id}',
    summary: 'Change an event (merge patch); moving it moves its reminders',
    access: 'session',
    requestBody: 'EventPatch',
    headers: [IF_MATCH],
    success: { status: 200, body: 'Event' },
    problems: [400, 404, 412, 413, 415, 428],
  },
  {
    operationId: 'deleteEvent',
    method: 'DELETE',
    path: '/events/{id}',
    summary: 'Delete an event and cancel its reminders',
    access: 'session',
    headers: [IF_MATCH],
    success: { status: 204 },
    problems: [400, 404, 412],
  },
  {
    operationId: 'listReminders',
    method: 'GET',
    path: '/reminders',
    summary: 'Pending reminders, soonest first',
    access: 'session',
    query: PAGE,
    success: { status: 200, body: 'ReminderPage' },
    problems: [400],
  },
  {
    operationId: 'createReminder',
    method: 'POST',
    path: '/reminders',
    summary: 'Create a reminder from a phrase or an explicit time',
    access: 'session',
    requestBody: 'ReminderInput',
    headers: [IDEMPOTENCY_KEY],
    success: { status: 201, body: 'Reminder' },
    problems: [400, 409, 413, 415],
  },
  {
    operationId: 'getReminder',
    method: 'GET',
    path: '/reminders/{id}',
    summary: 'One reminder',
    access: 'session',
    success: { status: 200, body: 'Reminder' },
    problems: [404],
  },
  {
    operationId: 'updateReminder',
    method: 'PATCH',
    path: '/reminders/{id}',
    summary: 'Rename or move a pending reminder',
    access: 'session',
    requestBody: 'ReminderPatch',
    headers: [IF_MATCH],
    success: { status: 200, body: 'Reminder' },
    problems: [400, 404, 409, 412, 413, 415],
  },
  {
    operationId: 'deleteReminder',
    method: 'DELETE',
    path: '/reminders/{id}',
    summary: 'Cancel a pending reminder',
    access: 'session',
    headers: [IF_MATCH],
    success: { status: 204 },
    problems: [400, 404, 409, 412],
  },
  {
    operationId: 'snoozeReminder',
    method: 'POST',
    path: '/reminders/{id}/snooze',
    summary: 'Push the next firing back',
    access: 'session',
    requestBody: 'SnoozeInput',
    success: { status: 200, body: 'Reminder' },
    problems: [400, 404, 409, 413, 415],
  },
  {
    operationId: 'getMe',
    method: 'GET',
    path: '/me',
    summary: 'Settings',
    access: 'session',
    success: { status: 200, body: 'Me' },
    problems: [404],
  },
  {
    operationId: 'updateMe',
    method: 'PATCH',
    path: '/me',
    summary: 'Change settings (merge patch); a new time zone moves wall-time reminders with it',
    access: 'session',
    requestBody: 'MePatch',
    success: { status: 200, body: 'Me' },
    problems: [400, 404, 413, 415],
  },
  {
    operationId: 'deleteMe',
    method: 'DELETE',
    path: '/me',
    summary: 'Delete the account: every item, schedule and link',
    access: 'session',
    success: { status: 204 },
    problems: [],
  },
  {
    operationId: 'exportMe',
    method: 'GET',
    path: '/me/export',
    summary: 'Everything held about the person, as JSON',
    access: 'session',
    success: { status: 200, body: 'Export' },
    problems: [],
  },
  {
    operationId: 'createCalendarFeed',
    method: 'POST',
    path: '/me/calendar-feed',
    summary: 'Make (or replace) the private iCalendar feed URL',
    access: 'session',
    success: { status: 201, body: 'CalendarFeed' },
    problems: [404],
  },
  {
    operationId: 'deleteCalendarFeed',
    method: 'DELETE',
    path: '/me/calendar-feed',
    summary: 'Revoke the iCalendar feed URL',
    access: 'session',
    success: { status: 204 },
    problems: [],
  },
  {
    operationId: 'getCalendarFeed',
    method: 'GET',
    path: '/calendar/{feed}',
    summary: 'The iCalendar (RFC 5545) feed of the person\'s events; {feed} is "<token>.ics"',
    access: 'public',
    success: { status: 200, contentType: 'text/calendar' },
    problems: [404],
  },
  {
    operationId: 'adminListUsers',
    method: 'GET',
    path: '/admin/users',
    summary: 'Users, newest sign-up first; or the one user of an email address or PSID',
    access: 'admin',
    query: [
      { name: 'q', description: 'An email address (any case) or a PSID: answers that user only.' },
      ...PAGE,
    ],
    success: { status: 200, body: 'AdminUserPage' },
    problems: [400, 403],
  },
  {
    operationId: 'adminGetUser',
    method: 'GET',
    path: '/admin/users/{userId}',
    summary: 'One user: profile, links, pending reminders, recent sign-ins, lock state',
    access: 'admin',
    success: { status: 200, body: 'AdminUserDetail' },
    problems: ADMIN_USER_PROBLEMS,
  },
  {
    operationId: 'adminLockUser',
    method: 'POST',
    path: '/admin/users/{userId}/lock',
    summary: "Refuse the user's sign-ins until a time (their address is locked as after five wrong codes)",
    access: 'admin',
    requestBody: 'AdminLockInput',
    success: { status: 200, body: 'AdminUserDetail' },
    problems: [400, 403, 404, 409, 413, 415],
  },
  {
    operationId: 'adminUnlockUser',
    method: 'POST',
    path: '/admin/users/{userId}/unlock',
    summary: 'Lift a lock, whether an admin set it or wrong codes did',
    access: 'admin',
    success: { status: 200, body: 'AdminUserDetail' },
    problems: ADMIN_USER_PROBLEMS,
  },
  {
    operationId: 'adminDisableUser',
    method: 'POST',
    path: '/admin/users/{userId}/disable',
    summary: 'Disable the user: no new session, no refresh, no reminder delivered',
    access: 'admin',
    requestBody: 'AdminReasonInput',
    success: { status: 200, body: 'AdminUserDetail' },
    problems: [400, 403, 404, 413, 415],
  },
  {
    operationId: 'adminEnableUser',
    method: 'POST',
    path: '/admin/users/{userId}/enable',
    summary: 'Enable a disabled user again',
    access: 'admin',
    success: { status: 200, body: 'AdminUserDetail' },
    problems: ADMIN_USER_PROBLEMS,
  },
  {
    operationId: 'adminDeleteUser',
    method: 'DELETE',
    path: '/admin/users/{userId}',
    summary: 'Delete the user and everything held about them (as DELETE /me)',
    access: 'admin',
    success: { status: 204 },
    problems: ADMIN_USER_PROBLEMS,
  },
  {
    operationId: 'adminListLockouts',
    method: 'GET',
    path: '/admin/lockouts',
    summary: 'Addresses locked now, soonest unlocked first',
    access: 'admin',
    success: { status: 200, body: 'AdminLockoutList' },
    problems: [403],
  },
  {
    operationId: 'adminGetAnalytics',
    method: 'GET',
    path: '/admin/analytics',
    summary: 'KPIs per day and for a range of days, from the archived events (Athena)',
    access: 'admin',
    backend: 'analytics',
    query: [
      { name: 'from', description: 'The first day, YYYY-MM-DD (UTC).', required: true },
      {
        name: 'to',
        description: 'The last day, YYYY-MM-DD (UTC), inclusive; at most 92 days.',
        required: true,
      },
    ],
    success: { status: 200, body: 'AnalyticsReport' },
    problems: [400, 403],
  },
];

export const routeKeyOf = (operation: Operation): string => `${operation.method} ${operation.path}`;
