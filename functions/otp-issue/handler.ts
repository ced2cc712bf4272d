/** OTP session step "IssueCode": invoked by the state machine after it claimed the session. */
import type { Context } from 'aws-lambda';
import { logger } from '../shared/logger';
import { awsIssuePorts } from './adapters';
import { type IssueRequest, type IssueResult, issueCode } from './issue';

const ports = awsIssuePorts();

export const handler = async (request: IssueRequest, context: Context): Promise<IssueResult> => {
  logger.addContext(context);
  const result = await issueCode(request, ports);
  // Never the code, never the address' HMAC: only what an operator needs to follow the session.
  logger.info(result.issued ? 'code sent' : 'session superseded, no code sent', {
    sessionId: request.sessionId,
  });
  return result;
};
