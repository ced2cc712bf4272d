import { describe, expect, it } from 'vitest';
import { cachedSecretReader } from '../../../../functions/shared/secrets';

describe('cachedSecretReader', () => {
  it('reads each secret once per cache lifetime, and again after it', async () => {
    let clock = 0;
    const calls: string[] = [];
    const client = {
      send: async (command: { input: { SecretId?: string } }) => {
        calls.push(command.input.SecretId ?? '');
        return { SecretString: `value-${calls.length}` };
      },
    };
    const read = cachedSecretReader(client as never, { ttlMs: 1000, now: () => clock });
    expect(await Promise.all([read('a'), read('a')])).toEqual(['value-1', 'value-1']);
    clock = 999;
    expect(await read('a')).toBe('value-1');
    clock = 1000;
    expect(await read('a')).toBe('value-2');
    expect(calls).toEqual(['a', 'a']);
  });

  it('does not keep a failed read', async () => {
    let fail = true;
    const client = {
      send: async () => {
        if (fail) throw new Error('throttled');
        return { SecretString: 'ok' };
      },
    };
    const read = cachedSecretReader(client as never);
    await expect(read('a')).rejects.toThrow('throttled');
    fail = false;
    expect(await read('a')).toBe('ok');
  });
});
