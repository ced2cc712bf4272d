/**
 * The chat page's HTML: one self-contained document (no external assets). Everything a person or the bot
 * wrote is inserted with textContent, never as HTML.
 */
const STYLE = `
  body { font: 15px/1.4 system-ui, sans-serif; margin: 0; background: #f0f2f5; color: #1c1e21; }
  header { background: #0866ff; color: #fff; padding: 10px 16px; display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
  header h1 { font-size: 17px; margin: 0 12px 0 0; }
  header label { font-size: 13px; display: flex; gap: 6px; align-items: center; }
  header input { font: inherit; padding: 3px 6px; border-radius: 4px; border: 0; }
  #psid { width: 11em; } #webhook { width: 22em; }
  main { max-width: 720px; margin: 0 auto; padding: 16px; display: flex; flex-direction: column; gap: 8px; min-height: calc(100vh - 140px); }
  .message { max-width: 75%; padding: 8px 12px; border-radius: 18px; white-space: pre-wrap; word-wrap: break-word; }
  /* Scrolled into view above the sticky composer, not under it. */
  .message, .choices { scroll-margin-bottom: 88px; }
  .me { align-self: flex-end; background: #0866ff; color: #fff; }
  .bot { align-self: flex-start; background: #fff; }
  .problem { align-self: center; color: #b00020; font-size: 13px; }
  .choices { align-self: flex-start; display: flex; gap: 6px; flex-wrap: wrap; }
  .choices button { font: inherit; border: 1px solid #0866ff; color: #0866ff; background: #fff; border-radius: 16px; padding: 4px 12px; cursor: pointer; }
  form { position: sticky; bottom: 0; display: flex; gap: 8px; max-width: 720px; margin: 0 auto; padding: 12px 16px; background: #f0f2f5; }
  form input { flex: 1; font: inherit; padding: 8px 12px; border-radius: 18px; border: 1px solid #ccd0d5; }
  form button { font: inherit; padding: 8px 16px; border-radius: 18px; border: 0; background: #0866ff; color: #fff; }
`;

const SCRIPT = `
  const params = new URLSearchParams(location.search);
  const psidInput = document.getElementById('psid');
  const webhookInput = document.getElementById('webhook');
  const messages = document.getElementById('messages');
  const randomPsid = () => String(Math.floor(1e15 + Math.random() * 9e15));
  psidInput.value = params.get('psid') || localStorage.getItem('aurora.chat.psid') || randomPsid();
  webhookInput.value = params.get('webhook') || localStorage.getItem('aurora.chat.webhook') ||
    document.body.dataset.webhook || location.protocol + '//' + location.hostname + ':3000/webhook';
  let shown = 0;

  function bubble(kind, text) {
    const element = document.createElement('div');
    element.className = 'message ' + kind;
    element.textContent = text;
    messages.append(element);
    element.scrollIntoView({ block: 'end' });
  }
  function choices(items, kind) {
    if (items.length === 0) return;
    const row = document.createElement('div');
    row.className = 'choices ' + kind;
    for (const item of items) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'quick-reply';
      button.textContent = item.title;
      button.addEventListener('click', () => send(item.title, item.quickReplyPayload, item.postback));
      row.append(button);
    }
    messages.append(row);
    row.scrollIntoView({ block: 'end' });
  }
  function quickRepliesOf(entry) {
    const message = entry && entry.from === 'page' && entry.message;
    return ((message && message.quick_replies) || []).filter((reply) => reply.content_type === 'text')
      .map((reply) => ({ title: reply.title, quickReplyPayload: String(reply.payload) }));
  }
  function showBotMessage(message) {
    const template = message.attachment && message.attachment.payload;
    if (typeof message.text === 'string') bubble('bot', message.text);
    else if (template && template.text) bubble('bot', template.text);
    else if (message.attachment) bubble('bot', '[' + message.attachment.type + ']');
    // A template's buttons stay with their message, as in Messenger.
    const buttons = ((template && template.buttons) || []).filter((button) => button.type === 'postback')
      .map((button) => ({ title: button.title, postback: { title: button.title, payload: button.payload } }));
    choices(buttons, 'buttons');
  }
  // One refresh at a time, or two would show the same new entries twice.
  let refreshing;
  function poll() {
    refreshing = refreshing || refresh().finally(() => { refreshing = undefined; });
    return refreshing;
  }
  // Both sides as the Graph stand-in holds them, so a reload shows the whole conversation.
  async function refresh() {
    try {
      const response = await fetch('/_aurora/messenger/conversation?psid=' + encodeURIComponent(psidInput.value));
      const conversation = await response.json();
      if (conversation.length === shown) return;
      for (const entry of conversation.slice(shown)) {
        if (entry.from === 'person') bubble('me', entry.text);
        else if (entry.message) showBotMessage(entry.message);
      }
      shown = conversation.length;
      // Quick replies belong to the latest message only: they go once the person answers.
      for (const row of messages.querySelectorAll('.choices.quick')) row.remove();
      choices(quickRepliesOf(conversation.at(-1)), 'quick');
    } catch (error) { /* the edge restarting: the next poll catches up */ }
  }
  async function localNow() {
    try { return Date.parse((await (await fetch('/_aurora/clock')).json()).now); } catch { return Date.now(); }
  }
  async function send(text, quickReplyPayload, postback) {
    localStorage.setItem('aurora.chat.psid', psidInput.value);
    localStorage.setItem('aurora.chat.webhook', webhookInput.value);
    const request = { webhookUrl: webhookInput.value, psid: psidInput.value, timestamp: await localNow() };
    if (postback) request.postback = postback; else request.text = text;
    if (quickReplyPayload !== undefined) request.quickReplyPayload = quickReplyPayload;
    const response = await fetch('/_aurora/messenger/chat/messages', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request),
    });
    const answer = await response.json();
    // The person's message first (the relay recorded it), then what went wrong with it.
    await poll();
    if (!response.ok) bubble('problem', answer.message);
    else if (answer.webhookStatus !== 200) bubble('problem', 'Webhook answered ' + answer.webhookStatus + ': ' + answer.webhookBody);
  }
  psidInput.addEventListener('change', () => { messages.replaceChildren(); shown = 0; poll(); });
  document.getElementById('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = document.getElementById('text');
    const text = input.value.trim();
    input.value = '';
    if (text) send(text);
  });
  poll();
  setInterval(poll, 500);
`;

/** `defaultWebhookUrl`: where the local cloud serves the webhook route, so the page needs no setting. */
export function chatPageHtml(defaultWebhookUrl = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Aurora Time — Messenger chat (local)</title>
<style>${STYLE}</style>
</head>
<body data-webhook="${defaultWebhookUrl.replace(/[&"<>]/g, (character) => `&#${character.charCodeAt(0)};`)}">
<header>
  <h1>Messenger chat (local)</h1>
  <label>PSID <input id="psid" inputmode="numeric" pattern="[0-9]{1,32}" aria-label="PSID"></label>
  <label>Webhook <input id="webhook" aria-label="Webhook URL"></label>
</header>
<main id="messages" aria-live="polite"></main>
<form id="composer">
  <input id="text" autocomplete="off" placeholder="Type a message, e.g. help" aria-label="Message">
  <button type="submit">Send</button>
</form>
<script>${SCRIPT}</script>
</body>
</html>`;
}
