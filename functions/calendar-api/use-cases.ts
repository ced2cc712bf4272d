/**
 * The use case of every REST operation (functions/calendar-api/operations.ts), by operationId, and the one
 * way to run one: an admin operation first checks that the caller's admin grant still stands.
 */
import { GRANT_REVOKED } from '../shared/admin/grants';
import type { HttpAnswer } from '../shared/http/answers';
import {
  createCalendarFeed,
  deleteCalendarFeed,
  deleteMe,
  exportMe,
  getCalendarFeed,
  getMe,
  updateMe,
} from './account';
import type { ApiPorts } from './adapters/aws';
import {
  adminDeleteUser,
  adminDisableUser,
  adminEnableUser,
  adminGetUser,
  adminGrantStands,
  adminListLockouts,
  adminListUsers,
  adminLockUser,
  adminUnlockUser,
} from './admin';
import { createEvent, deleteEvent, getEvent, listOccurrences, updateEvent } from './events';
import { buildOpenApiDocument } from './openapi';
import {
  createReminder,
  deleteReminder,
  getReminder,
  listReminders,
  snoozeReminder,
  updateReminder,
} from './reminders';
import type { ApiRequest } from './request';

type AnyUseCase = (request: ApiRequest<never>, ports: ApiPorts) => Promise<HttpAnswer>;

const USE_CASES: Record<string, AnyUseCase> = {
  getOpenApi: async (request) => ({
    status: 200,
    body: buildOpenApiDocument({ serverUrl: request.baseUrl }),
    headers: { 'cache-control': 'public, max-age=300' },
  }),
  createEvent,
  listOccurrences,
  getEvent,
  updateEvent,
  deleteEvent,
  listReminders,
  createReminder,
  getReminder,
  updateReminder,
  deleteReminder,
  snoozeReminder,
  getMe,
  updateMe,
  deleteMe,
  exportMe,
  createCalendarFeed,
  deleteCalendarFeed,
  getCalendarFeed,
  adminListUsers,
  adminGetUser,
  adminLockUser,
  adminUnlockUser,
  adminDisableUser,
  adminEnableUser,
  adminDeleteUser,
  adminListLockouts,
};

export async function runUseCase(request: ApiRequest, ports: ApiPorts): Promise<HttpAnswer> {
  const useCase = USE_CASES[request.operation.operationId];
  if (!useCase) throw new Error(`No use case for ${request.operation.operationId}`);
  if (request.operation.access === 'admin' && !(await adminGrantStands(request, ports))) return GRANT_REVOKED;
  return useCase(request as ApiRequest<never>, ports);
}
