/**
 * The local inbox as a web page: a list of sent mail, newest first, and the selected message.
 *
 * Mail content is untrusted: every value is HTML-escaped, and an HTML body is shown only inside a sandboxed
 * iframe (no scripts, no same-origin access, no forms) under a Content-Security-Policy that also blocks
 * remote images, so opening a message cannot run code or call home.
 */
import type { SentMail } from './mailbox';

export const INBOX_CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-src 'self'; form-action 'self'";

export function renderInboxPage(
  mails: readonly SentMail[],
  selected: SentMail | undefined,
  basePath: string,
): string {
  const list = mails.length
    ? mails.map((mail) => listItem(mail, mail.id === selected?.id, basePath)).join('')
    : '<li class="empty">No mail sent yet.</li>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Local SES inbox (${mails.length})</title>
<style>
  body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: #1d2330; display: flex; height: 100vh; }
  aside { width: 340px; border-right: 1px solid #d8dde6; overflow-y: auto; background: #f6f8fb; }
  header { display: flex; align-items: center; justify-content: space-between; padding: 10px 12px;
    border-bottom: 1px solid #d8dde6; }
  header h1 { font-size: 16px; margin: 0; }
  header form { margin: 0; }
  ul { list-style: none; margin: 0; padding: 0; }
  li a { display: block; padding: 8px 12px; border-bottom: 1px solid #e6e9ef; color: inherit; text-decoration: none; }
  li a:hover { background: #eaf0fb; }
  li.selected a { background: #dbe6fa; }
  li.empty { padding: 16px 12px; color: #6b7385; }
  .subject { font-weight: 600; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  .meta { color: #6b7385; font-size: 12px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  main { flex: 1; overflow-y: auto; padding: 16px 24px; }
  main h2 { margin-top: 0; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0 0 16px; }
  dt { color: #6b7385; }
  dd { margin: 0; word-break: break-all; }
  pre { white-space: pre-wrap; background: #f6f8fb; padding: 12px; border-radius: 4px; }
  iframe { width: 100%; height: 60vh; border: 1px solid #d8dde6; border-radius: 4px; }
  .hint { color: #6b7385; }
</style>
</head>
<body>
<aside>
  <header>
    <h1>Inbox (${mails.length})</h1>
    <form method="post" action="${basePath}/clear"><button type="submit">Clear</button></form>
  </header>
  <ul>${list}</ul>
</aside>
<main>${selected ? messageView(selected) : '<p class="hint">Select a message.</p>'}</main>
</body>
</html>`;
}

function listItem(mail: SentMail, isSelected: boolean, basePath: string): string {
  const href = `${basePath}?message=${encodeURIComponent(mail.id)}`;
  return `<li${isSelected ? ' class="selected"' : ''}><a href="${escapeHtml(href)}" data-message-id="${escapeHtml(mail.id)}">
<div class="subject">${escapeHtml(mail.subject || '(no subject)')}</div>
<div class="meta">${escapeHtml(mail.to.join(', '))}</div>
<div class="meta">${escapeHtml(mail.at)}</div></a></li>`;
}

function messageView(mail: SentMail): string {
  const rows: [string, string][] = [
    ['From', mail.from],
    ['To', mail.to.join(', ')],
    ['Cc', mail.cc.join(', ')],
    ['Bcc', mail.bcc.join(', ')],
    ['Reply-To', mail.replyTo.join(', ')],
    ['Sent', mail.at],
    ['Via', mail.via],
    ['Configuration set', mail.configurationSetName ?? ''],
    [
      'Attachments',
      mail.attachments.map((file) => `${file.filename} (${file.contentType}, ${file.size} B)`).join(', '),
    ],
    ['Message ID', mail.id],
  ];
  const details = rows
    .filter(([, value]) => value !== '')
    .map(([name, value]) => `<dt>${name}</dt><dd>${escapeHtml(value)}</dd>`)
    .join('');
  const html =
    mail.html === undefined
      ? ''
      : `<h3>HTML</h3><iframe sandbox title="HTML body" srcdoc="${escapeHtml(mail.html)}"></iframe>`;
  const text =
    mail.text === undefined ? '' : `<h3>Text</h3><pre class="text-body">${escapeHtml(mail.text)}</pre>`;
  return `<h2 class="message-subject">${escapeHtml(mail.subject || '(no subject)')}</h2><dl>${details}</dl>${html}${text}`;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
