import { describe, expect, it } from 'vitest';
import { checkReadiness } from '../../../../functions/health/readiness';

describe('checkReadiness', () => {
  it('is ready when every dependency answers', async () => {
    const report = await checkReadiness([
      { name: 'table', probe: async () => {} },
      { name: 'bus', probe: async () => {} },
    ]);
    expect(report).toEqual({ ready: true, checks: { table: 'ok', bus: 'ok' } });
  });

  it('is not ready, and names the failing dependency and error, when one does not', async () => {
    const missing = Object.assign(new Error('no such bus'), { name: 'ResourceNotFoundException' });
    const report = await checkReadiness([
      { name: 'table', probe: async () => {} },
      {
        name: 'bus',
        probe: async () => {
          throw missing;
        },
      },
    ]);
    expect(report).toEqual({
      ready: false,
      checks: { table: 'ok', bus: 'unavailable: ResourceNotFoundException' },
    });
  });
});
