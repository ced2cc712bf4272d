/**
 * `npm start`: synthesize the CDK app, deploy its templates onto the local cloud, and serve until Ctrl-C.
 * Flags: --fresh (start from empty state), --clock=manual, --edge-port=N, --http-port=N, --web-port=N,
 * --no-web, --state-dir=DIR, --region=R, --enforce-iam. Environment: AURORA_EDGE_PORT, AURORA_HTTP_PORT,
 * AURORA_WEB_PORT, AURORA_WEB=false, AURORA_STATE_DIR, AURORA_REGION, AURORA_CLOCK, MESSENGER_APP_SECRET,
 * MESSENGER_VERIFY_TOKEN, MESSENGER_PAGE_TOKEN.
 */
import { startLocalCloud } from './cloud';
import { localSecretValue, readLocalConfig } from './config';
import { summarize } from './summary';

// Lambda workers share the host's time zone (V8 reads it per process); make it Lambda's. Node applies a
// change of TZ at once, and nothing has read the time zone yet.
process.env.TZ = 'UTC';

const started = performance.now();
const config = readLocalConfig();
console.log(`Aurora Time local cloud — state in ${config.stateDir}${config.fresh ? ' (fresh)' : ''}`);
try {
  const cloud = await startLocalCloud(config);
  const secrets = ['messenger-app-secret', 'messenger-verify-token', 'messenger-page-token'].map((name) => ({
    name,
    ...localSecretValue(name, config.stateDir),
  }));
  console.log(summarize(cloud, secrets, performance.now() - started));
  const stop = async (signal: string) => {
    console.log(`\n${signal}: stopping…`);
    await cloud.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
} catch (error) {
  console.error(`\n✗ The local cloud did not start: ${(error as Error).message}`);
  process.exit(1);
}
