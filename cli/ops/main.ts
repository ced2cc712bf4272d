/**
 * `npm run ops -- <command>`: operate the state machines and dead-letter queues. Clients take only the
 * standard AWS settings (AWS_ENDPOINT_URL, AWS_REGION, AWS_PROFILE), so it runs unchanged on AWS and on
 * the local edge (`AWS_ENDPOINT_URL=http://localhost:4566`). One module per command in commands/.
 */
import { parseArgs } from 'node:util';
import { alarms } from './commands/alarms';
import { dlq } from './commands/dlq';
import { executions } from './commands/executions';
import { failures } from './commands/failures';
import { redrive } from './commands/redrive';
import { show } from './commands/show';
import { tail } from './commands/tail';
import { createContext, type OpsContext } from './context';

const USAGE = `usage: npm run ops -- <command> [options] [--json]
  executions [--machine NAME] [--status FAILED] [--since 24h]   executions with STATUS and OUTCOME
  show <arn|name> [--all]                                      timeline, failing state, input and output
  failures [--since 24h]                                       failures grouped by machine, state and error
  redrive <arn|name> | redrive --failed [--since 1h] [--dry-run]
                                                               redrive failed executions
  dlq | dlq peek <queue> | dlq replay <queue> [--dry-run]      dead-letter queues
  tail [--interval 2s] [--for 1m] [--until-idle 10s]           follow new executions and status changes
  alarms                                                       CloudWatch alarms and their state`;

const COMMANDS: Record<string, (context: OpsContext, positionals: readonly string[]) => Promise<void>> = {
  executions,
  show,
  failures,
  redrive,
  dlq,
  tail,
  alarms,
};

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      machine: { type: 'string' },
      status: { type: 'string' },
      since: { type: 'string' },
      all: { type: 'boolean' },
      failed: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      interval: { type: 'string' },
      for: { type: 'string' },
      'until-idle': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const run = command === undefined ? undefined : COMMANDS[command];
  if (!run) {
    console.error(command === undefined ? USAGE : `ops: unknown command ${command}\n${USAGE}`);
    return 2;
  }
  await run(await createContext(values), rest);
  return 0;
}

const refused = (error: Error & { code?: string; cause?: { code?: string } }) =>
  error.code === 'ECONNREFUSED' || error.cause?.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(String(error));

main().then(
  (code) => process.exit(code),
  (error: Error & { code?: string; cause?: { code?: string } }) => {
    console.error(`ops: ${error.message}`);
    if (refused(error))
      console.error(
        'hint: nothing answered; is the local cloud running (npm start) and AWS_ENDPOINT_URL set?',
      );
    // A bad option or argument is a usage error, like an unknown command.
    process.exit(error.code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1);
  },
);
