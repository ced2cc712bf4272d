import { describe, expect, it } from 'vitest';
import { GraphError } from '../../../../../infra/local/messenger/graph-errors';
import {
  HUMAN_AGENT_WINDOW_MS,
  STANDARD_WINDOW_MS,
  windowAllows,
} from '../../../../../infra/local/messenger/messaging-window';
import { validateSendRequest } from '../../../../../infra/local/messenger/send-validation';

const valid = { recipient: { id: '123' }, messaging_type: 'RESPONSE', message: { text: 'hi' } };

function rejection(body: unknown): { message: string; code: number; error_subcode?: number } {
  try {
    validateSendRequest(body);
  } catch (error) {
    if (error instanceof GraphError) return error.body;
    throw error;
  }
  throw new Error('expected the request to be rejected');
}

describe('Send API payload validation', () => {
  it('accepts a text reply and narrows it', () => {
    expect(validateSendRequest(valid)).toEqual({
      recipient: { id: '123' },
      messagingType: 'RESPONSE',
      tag: undefined,
      message: { text: 'hi' },
    });
  });

  it('requires a recipient id or user_ref', () => {
    expect(rejection({ ...valid, recipient: undefined })).toMatchObject({
      code: 100,
      message: '(#100) The parameter recipient is required',
    });
    expect(rejection({ ...valid, recipient: { name: 'x' } }).code).toBe(100);
    expect(validateSendRequest({ ...valid, recipient: { user_ref: 'ref-1' } }).recipient).toEqual({
      user_ref: 'ref-1',
    });
    expect(validateSendRequest({ ...valid, recipient: { id: 42 } }).recipient).toEqual({ id: '42' });
  });

  it('requires exactly one of message and sender_action', () => {
    expect(rejection({ ...valid, sender_action: 'typing_on' })).toMatchObject({
      code: 100,
      error_subcode: 2018014,
      message: '(#100) Cannot send both message and state at the same time.',
    });
    expect(rejection({ recipient: { id: '1' }, messaging_type: 'RESPONSE' })).toMatchObject({
      code: 100,
      error_subcode: 2018015,
    });
    expect(validateSendRequest({ recipient: { id: '1' }, sender_action: 'TYPING_ON' })).toMatchObject({
      senderAction: 'typing_on',
      messagingType: 'RESPONSE',
    });
    expect(rejection({ recipient: { id: '1' }, sender_action: 'dance' }).message).toBe(
      '(#100) param sender_action must be one of {TYPING_ON, TYPING_OFF, MARK_SEEN} - got "dance"',
    );
  });

  it('requires a known messaging_type, and a valid tag for MESSAGE_TAG', () => {
    expect(rejection({ ...valid, messaging_type: undefined }).message).toBe(
      '(#100) param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}',
    );
    expect(rejection({ ...valid, messaging_type: 'PROMO' }).message).toContain('- got "PROMO"');
    expect(rejection({ ...valid, messaging_type: 'MESSAGE_TAG' }).message).toMatch(
      /^\(#100\) param tag must be one of/,
    );
    expect(rejection({ ...valid, messaging_type: 'MESSAGE_TAG', tag: 'PAYMENT_UPDATE' }).code).toBe(100);
    for (const tag of ['CONFIRMED_EVENT_UPDATE', 'POST_PURCHASE_UPDATE', 'ACCOUNT_UPDATE', 'HUMAN_AGENT']) {
      expect(validateSendRequest({ ...valid, messaging_type: 'MESSAGE_TAG', tag }).tag).toBe(tag);
    }
  });

  it('limits text to 2000 characters, counting an emoji as one', () => {
    expect(validateSendRequest({ ...valid, message: { text: '😀'.repeat(2000) } }).message).toBeDefined();
    expect(rejection({ ...valid, message: { text: 'x'.repeat(2001) } })).toMatchObject({
      code: 100,
      message: '(#100) Length of param message[text] must be less than or equal to 2000',
    });
  });

  it('refuses an empty message, or text together with an attachment', () => {
    expect(rejection({ ...valid, message: { text: '' } })).toMatchObject({
      code: 100,
      error_subcode: 2018034,
    });
    expect(rejection({ ...valid, message: {} })).toMatchObject({ error_subcode: 2018034 });
    const image = { type: 'image', payload: { url: 'https://example.org/a.png' } };
    expect(rejection({ ...valid, message: { text: 'x', attachment: image } }).code).toBe(100);
  });

  it('checks quick replies: 1 to 13, titles up to 20 characters, payload required for text', () => {
    const reply = (title: string) => ({ content_type: 'text', title, payload: 'P' });
    const withReplies = (replies: unknown) => ({
      ...valid,
      message: { text: 'pick', quick_replies: replies },
    });
    expect(
      validateSendRequest(withReplies(Array.from({ length: 13 }, () => reply('ok')))).message,
    ).toBeDefined();
    expect(rejection(withReplies(Array.from({ length: 14 }, () => reply('ok'))))).toMatchObject({
      code: 100,
    });
    expect(rejection(withReplies([]))).toMatchObject({
      code: 194,
      message: '(#194) param message[quick_replies] has too few elements.',
    });
    expect(rejection(withReplies([reply('x'.repeat(21))])).message).toBe(
      '(#100) Length of param message[quick_replies][0][title] must be less than or equal to 20',
    );
    expect(rejection(withReplies([{ content_type: 'text', title: 'ok' }]))).toMatchObject({
      error_subcode: 2018099,
    });
    expect(rejection(withReplies([{ content_type: 'text', payload: 'P' }]))).toMatchObject({
      error_subcode: 2018098,
    });
    expect(rejection(withReplies([{ title: 'ok', payload: 'P' }])).message).toBe(
      '(#100) The parameter message[quick_replies][0][content_type] is required',
    );
    expect(validateSendRequest(withReplies([{ content_type: 'user_email' }])).message).toBeDefined();
  });

  it('checks attachments: type, payload, media source and template shapes', () => {
    const attach = (attachment: unknown) => ({ ...valid, message: { attachment } });
    expect(
      validateSendRequest(attach({ type: 'image', payload: { url: 'https://x/a.png' } })).message,
    ).toBeDefined();
    expect(
      validateSendRequest(attach({ type: 'file', payload: { attachment_id: '99' } })).message,
    ).toBeDefined();
    expect(rejection(attach({ payload: { url: 'u' } })).message).toBe(
      '(#100) The parameter message[attachment][type] is required',
    );
    expect(rejection(attach({ type: 'image' })).message).toBe(
      '(#100) The parameter message[attachment][payload] is required',
    );
    expect(rejection(attach({ type: 'hologram', payload: {} })).code).toBe(100);
    expect(rejection(attach({ type: 'image', payload: {} })).error_subcode).toBe(2018034);
    expect(rejection(attach({ type: 'template', payload: { template_type: 'poster' } })).message).toBe(
      '(#100) Invalid template type',
    );
    const buttons = (count: number) =>
      Array.from({ length: count }, () => ({ type: 'postback', title: 'b', payload: 'p' }));
    const button = (count: number) =>
      attach({
        type: 'template',
        payload: { template_type: 'button', text: 'Choose', buttons: buttons(count) },
      });
    expect(validateSendRequest(button(3)).message).toBeDefined();
    expect(rejection(button(4)).code).toBe(100);
    expect(rejection(button(0)).code).toBe(194);
    const generic = (elements: unknown[]) =>
      attach({ type: 'template', payload: { template_type: 'generic', elements } });
    expect(validateSendRequest(generic([{ title: 'Card' }])).message).toBeDefined();
    expect(rejection(generic([{ subtitle: 'no title' }])).code).toBe(100);
    expect(rejection(generic(Array.from({ length: 11 }, () => ({ title: 't' })))).code).toBe(100);
  });
});

describe('messaging window', () => {
  const last = 1_000_000;
  it('allows RESPONSE and UPDATE for 24 hours after the person last wrote', () => {
    for (const type of ['RESPONSE', 'UPDATE'] as const) {
      expect(windowAllows(type, undefined, last, last + STANDARD_WINDOW_MS)).toBe(true);
      expect(windowAllows(type, undefined, last, last + STANDARD_WINDOW_MS + 1)).toBe(false);
    }
  });

  it('allows HUMAN_AGENT for 7 days and the other tags at any time', () => {
    expect(windowAllows('MESSAGE_TAG', 'HUMAN_AGENT', last, last + HUMAN_AGENT_WINDOW_MS)).toBe(true);
    expect(windowAllows('MESSAGE_TAG', 'HUMAN_AGENT', last, last + HUMAN_AGENT_WINDOW_MS + 1)).toBe(false);
    expect(
      windowAllows('MESSAGE_TAG', 'CONFIRMED_EVENT_UPDATE', last, last + 30 * HUMAN_AGENT_WINDOW_MS),
    ).toBe(true);
  });
});
