import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkSignature, signDelivery } from '../../../../../functions/shared/messenger/signature';

const secret = 'app-secret';
const body = Buffer.from(
  '{"object":"page","entry":[{"messaging":[{"message":{"text":"café ☕ 🎉"}}]}]}',
  'utf8',
);

describe('X-Hub-Signature-256', () => {
  it('is sha256= and the hex HMAC-SHA256 of the raw bytes under the app secret', () => {
    const expected = createHmac('sha256', secret).update(body).digest('hex');
    expect(signDelivery(body, secret)).toBe(`sha256=${expected}`);
    expect(checkSignature(body, `sha256=${expected}`, secret)).toBe('valid');
  });

  it('accepts upper-case hex, as header values may come', () => {
    expect(
      checkSignature(body, signDelivery(body, secret).toUpperCase().replace('SHA256=', 'sha256='), secret),
    ).toBe('valid');
  });

  it('tells a missing signature from a wrong one', () => {
    expect(checkSignature(body, undefined, secret)).toBe('missing');
    expect(checkSignature(body, '  ', secret)).toBe('missing');
    expect(checkSignature(body, signDelivery(body, 'other-secret'), secret)).toBe('invalid');
    expect(checkSignature(body, 'sha256=abc', secret)).toBe('invalid');
  });

  it('refuses the SHA-1 header format', () => {
    const sha1 = `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`;
    expect(checkSignature(body, sha1, secret)).toBe('invalid');
  });

  it('covers the bytes as sent: re-serialised JSON with the same meaning does not match', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8')), null, 1));
    expect(checkSignature(reserialised, signDelivery(body, secret), secret)).toBe('invalid');
    // \u-escaped non-ASCII is the same JSON value but different bytes.
    const escaped = Buffer.from(body.toString('utf8').replace('é', '\\u00e9'));
    expect(checkSignature(escaped, signDelivery(body, secret), secret)).toBe('invalid');
  });
});
