/** The start-up summary `npm start` prints: endpoints, what was deployed, what was skipped, local secrets. */
import type { LocalCloud } from './cloud';

const group = <T>(items: readonly T[], key: (item: T) => string): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
};

export function summarize(
  cloud: LocalCloud,
  secrets: ReadonlyArray<{ name: string; value: string; source: string }>,
  elapsedMs: number,
): string {
  const { deployment, edgeUrl, apiUrl, clock } = cloud;
  const physicalIds = (type: string) =>
    deployment.resources
      .filter((resource) => resource.type === type)
      .map((resource) => resource.identity.ref);
  const list = (label: string, names: string[]) =>
    `  ${label.padEnd(16)}${names.length === 0 ? '—' : names.join(', ')}`;
  const skipped = [...group(deployment.skipped, (entry) => entry.type)].map(
    ([type, count]) => `${type} ×${count}`,
  );
  const lines = [
    '',
    `Ready in ${(elapsedMs / 1000).toFixed(1)} s — clock: ${clock.mode}, now ${clock.nowIso()}`,
    '',
    'Endpoints',
    `  edge (AWS APIs)  ${edgeUrl}      export AWS_ENDPOINT_URL=${edgeUrl}`,
    `  HTTP API         ${apiUrl}`,
    `  web app          ${webLine(cloud)}`,
    `  local consoles   ${edgeUrl}/_aurora`,
    '',
    'Deployed',
    list('functions', physicalIds('AWS::Lambda::Function')),
    list('tables', [...physicalIds('AWS::DynamoDB::Table'), ...physicalIds('AWS::DynamoDB::GlobalTable')]),
    list('buses', physicalIds('AWS::Events::EventBus')),
    list('rules', physicalIds('AWS::Events::Rule')),
    list('state machines', physicalIds('AWS::StepFunctions::StateMachine')),
    list('schedule groups', physicalIds('AWS::Scheduler::ScheduleGroup')),
    list(
      'queues',
      physicalIds('AWS::SQS::Queue').map((url) => url.split('/').pop() ?? url),
    ),
    `  skipped (not emulated locally): ${skipped.length === 0 ? 'none' : skipped.join(', ')}`,
    '',
    'Local secrets (never use these outside this machine)',
    ...secrets.map((secret) => `  ${secret.name.padEnd(24)}${secret.value}   [${secret.source}]`),
    '',
    'Ctrl-C stops; state is kept for the next start (npm start -- --fresh starts empty).',
  ];
  return lines.join('\n');
}

/** Where the app is, or why it is not there: a missing web/ or a failed build never stops the rest. */
function webLine({ webApp }: LocalCloud): string {
  switch (webApp.status) {
    case 'off':
      return 'off (--no-web)';
    case 'built':
    case 'unchanged':
    case 'given':
      return `${webApp.url}      serves ${webApp.directory}, /config.json → the HTTP API`;
    default:
      return webApp.url ? `${webApp.url}      not built: ${webApp.reason}` : `not served: ${webApp.reason}`;
  }
}
