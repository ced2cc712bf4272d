/** The production ports of `resumeSession`: the session item, SendTaskSuccess on Step Functions, `tell`. */
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { dynamoSessionStore } from '../shared/auth/otp-session';
import { tell } from '../shared/auth/tell';
import { awsTellPorts } from '../shared/auth/tell-adapters';
import { dynamoDb, stepFunctions } from '../shared/clients';
import { required } from '../shared/config';
import type { ResumePorts } from './resume';

/** Errors meaning "this token is spent": another submission used it, or the wait ended. */
const SPENT_TOKEN = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

export function awsResumePorts(): ResumePorts {
  const tellPorts = awsTellPorts();
  return {
    store: dynamoSessionStore(dynamoDb, required('TABLE_NAME')),
    sendTaskSuccess: async (token, output) => {
      try {
        await stepFunctions.send(
          new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }),
        );
        return true;
      } catch (error) {
        if (error instanceof Error && SPENT_TOKEN.has(error.name)) return false;
        throw error;
      }
    },
    tell: (reply, email, outcome) => tell(reply, email, outcome, tellPorts),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: Date.now,
  };
}
