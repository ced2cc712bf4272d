import { describe, expect, it } from 'vitest';
import { escapeXml, shortErrorCode, toXml } from '../../../../../infra/local/edge/protocols';

describe('query protocol XML', () => {
  it('writes objects as elements, arrays as member lists and escapes text', () => {
    expect(
      toXml({ Account: '000000000000', Arns: ['a', 'b'], Note: 'x < y & "z"', Skipped: undefined }),
    ).toBe(
      '<Account>000000000000</Account><Arns><member>a</member><member>b</member></Arns>' +
        '<Note>x &lt; y &amp; &quot;z&quot;</Note>',
    );
  });

  it('escapes every XML special character', () => {
    expect(escapeXml(`<&>"'`)).toBe('&lt;&amp;&gt;&quot;&apos;');
  });
});

describe('shortErrorCode', () => {
  it('drops the namespace of a JSON __type', () => {
    expect(shortErrorCode('com.amazonaws.dynamodb.v20120810#ResourceNotFoundException')).toBe(
      'ResourceNotFoundException',
    );
    expect(shortErrorCode('QueueDoesNotExist')).toBe('QueueDoesNotExist');
  });
});
