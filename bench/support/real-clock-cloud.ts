/** A bench on a local cloud running the app with a real clock (the stage's throttle refills on it), stopped after. */
import { startTestCloud, type TestCloud } from '../../test/support/local-cloud';

export async function onRealClockCloud<T>(measure: (test: TestCloud) => Promise<T>): Promise<T> {
  const test = await startTestCloud({ config: { clockMode: 'real' } });
  try {
    return await measure(test);
  } finally {
    await test.stop();
  }
}
