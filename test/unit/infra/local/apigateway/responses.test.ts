/** How a function's answer becomes the HTTP response, per payload format and API kind. */
import { describe, expect, it } from 'vitest';
import type { ApiModel } from '../../../../../infra/local/apigateway/model';
import { proxyResponse, type ResponseContext } from '../../../../../infra/local/apigateway/responses';

const api = (kind: 'rest' | 'http', binaryMediaTypes: string[] = []): ApiModel => ({
  kind,
  id: 'api',
  name: 'api',
  stages: [],
  routes: [],
  binaryMediaTypes,
  warnings: [],
});

const rest: ResponseContext = { api: api('rest', ['image/*']), format: '1.0', accept: undefined };
const httpV2: ResponseContext = { api: api('http'), format: '2.0', accept: undefined };

const answer = (value: unknown, context: ResponseContext) => {
  const response = proxyResponse(JSON.stringify(value), context);
  return response && { ...response, body: response.body.toString('utf8') };
};

describe('payload format 2.0', () => {
  it('infers 200 application/json from a value without statusCode; a string is the body itself', () => {
    expect(answer({ ok: true }, httpV2)).toEqual({
      statusCode: 200,
      headers: [['Content-Type', 'application/json']],
      body: '{"ok":true}',
    });
    expect(answer('hello', httpV2)?.body).toBe('hello');
    expect(answer([1, 2], httpV2)?.body).toBe('[1,2]');
  });

  it('always decodes a base64 body', () => {
    const bytes = Buffer.from([0, 255, 128, 7]);
    const response = proxyResponse(
      JSON.stringify({ statusCode: 201, body: bytes.toString('base64'), isBase64Encoded: true }),
      httpV2,
    );
    expect(response?.statusCode).toBe(201);
    expect(response?.body.equals(bytes)).toBe(true);
  });
});

describe('payload format 1.0', () => {
  it('needs a statusCode and a string body, else the gateway answers 502/500', () => {
    expect(answer({ body: 'x' }, rest)).toBeUndefined();
    expect(answer({ statusCode: 200, body: { not: 'a string' } }, rest)).toBeUndefined();
    expect(answer('just a string', rest)).toBeUndefined();
    expect(proxyResponse('not json', rest)).toBeUndefined();
  });

  it('merges headers and multiValueHeaders, the multi-value list winning, and defaults Content-Type', () => {
    const response = answer(
      {
        statusCode: '404',
        headers: { 'X-One': 'a', 'X-Both': 'single', Count: 3 },
        multiValueHeaders: { 'X-Both': ['m1', 'm2'] },
        body: 'gone',
      },
      rest,
    );
    expect(response).toEqual({
      statusCode: 404,
      headers: [
        ['X-One', 'a'],
        ['Count', '3'],
        ['X-Both', 'm1'],
        ['X-Both', 'm2'],
        ['Content-Type', 'application/json'],
      ],
      body: 'gone',
    });
  });

  it('decodes base64 on a REST API only for binary media types (response type or Accept)', () => {
    const encoded = Buffer.from('PNG').toString('base64');
    const png = {
      statusCode: 200,
      headers: { 'Content-Type': 'image/png' },
      body: encoded,
      isBase64Encoded: true,
    };
    const text = { ...png, headers: { 'Content-Type': 'text/plain' } };
    expect(answer(png, rest)?.body).toBe('PNG');
    expect(answer(text, rest)?.body).toBe(encoded);
    expect(answer(text, { ...rest, accept: 'image/webp, */*;q=0.8' })?.body).toBe('PNG');
  });
});
