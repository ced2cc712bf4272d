/** Routed by an EventBridge rule: OtpCodeSubmitted → SendTaskSuccess on the waiting OTP session. */
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { required } from '../auth-shared/environment';
import { dynamoSessionStore } from '../auth-shared/otp-session';
import { tell } from '../auth-shared/tell';
import { awsTellPorts } from '../auth-shared/tell-adapters';
import { dynamoDb } from '../shared/clients';
import { parseEvent } from '../shared/events/consume';
import { logger } from '../shared/logger';
import { resumeSession } from './resume';

const store = dynamoSessionStore(dynamoDb, required('TABLE_NAME'));
const tellPorts = awsTellPorts();
const sfn = new SFNClient({});
/** Errors meaning "this token is spent": another submission used it, or the wait ended. */
const SPENT_TOKEN = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

export const handler = async (event: EventBridgeEvent<string, unknown>, context: Context): Promise<void> => {
  logger.addContext(context);
  const { detail } = parseEvent(event, ['OtpCodeSubmitted']);
  const result = await resumeSession(detail, Date.parse(event.time), {
    store,
    sendTaskSuccess: async (token, output) => {
      try {
        await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }));
        return true;
      } catch (error) {
        if (error instanceof Error && SPENT_TOKEN.has(error.name)) return false;
        throw error;
      }
    },
    tell: (reply, email, outcome) => tell(reply, email, outcome, tellPorts),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: Date.now,
  });
  logger.info('submission handled', { submissionId: detail.submissionId, result });
};
