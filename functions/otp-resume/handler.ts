/** Routed by an EventBridge rule: OtpCodeSubmitted → SendTaskSuccess on the waiting OTP session. */
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { parseEvent } from '../shared/events/consume';
import { logger } from '../shared/logger';
import { awsResumePorts } from './adapters';
import { resumeSession } from './resume';

const ports = awsResumePorts();

export const handler = async (event: EventBridgeEvent<string, unknown>, context: Context): Promise<void> => {
  logger.addContext(context);
  const { detail } = parseEvent(event, ['OtpCodeSubmitted']);
  const result = await resumeSession(detail, Date.parse(event.time), ports);
  logger.info('submission handled', { submissionId: detail.submissionId, result });
};
