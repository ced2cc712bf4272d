/**
 * GET /admin/analytics on the REST API (the operation `adminGetAnalytics` of functions/calendar-api/
 * operations.ts, routed here): the admin session and grant are checked as for every admin operation, then
 * the use case runs the KPI query on Athena, with the table as its cache.
 */
import type { APIGatewayProxyResultV2, Context } from 'aws-lambda';
import dailyKpis from '../../analytics/queries/daily-kpis.sql';
import { callerOf } from '../calendar-api/request';
import { type AuthorizedEvent, apiRequestOf, resultOf } from '../calendar-api/transport';
import { adminGrantStands, configuredAdmins, GRANT_REVOKED } from '../shared/admin/grants';
import { athena, dynamoDb } from '../shared/clients';
import { required } from '../shared/config';
import { problem } from '../shared/http/answers';
import { logger } from '../shared/logger';
import { athenaQueryRunner } from './athena';
import { dynamoDbAnswerCache } from './cache';
import { type AnalyticsPorts, getAnalytics } from './use-case';

const tableName = required('TABLE_NAME');
const admins = configuredAdmins();
const ports: AnalyticsPorts = {
  queries: athenaQueryRunner({
    client: athena,
    workGroup: required('ATHENA_WORKGROUP'),
    database: required('GLUE_DATABASE'),
    sql: { 'daily-kpis': dailyKpis },
    // Inside API Gateway's 29-second integration timeout (and the function's 30), with room to answer.
    deadlineMs: 25_000,
  }),
  cache: dynamoDbAnswerCache(dynamoDb, tableName),
  now: Date.now,
};

export const handler = async (event: AuthorizedEvent, context: Context): Promise<APIGatewayProxyResultV2> => {
  logger.addContext(context);
  const request = apiRequestOf(event);
  if (!('operation' in request)) return resultOf(request);
  try {
    if (!(await adminGrantStands(dynamoDb, tableName, callerOf(request).email, admins))) {
      return resultOf(GRANT_REVOKED);
    }
    const answer = await getAnalytics(request.query, ports);
    logger.info('analytics', { status: answer.status });
    return resultOf(answer);
  } catch (error) {
    logger.error('analytics failed', { error });
    return resultOf(problem(500, 'internal', 'The analytics could not be computed; try again.'));
  }
};
