/** HTML helpers of the ops console: escaping (every value shown is untrusted) and the page shell. */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2433;background:#f6f7f9}
header{background:#232f3e;color:#fff;padding:10px 20px}header a{color:#fff;text-decoration:none}
main{padding:16px 20px}h1{font-size:20px;margin:0 0 12px}h2{font-size:16px;margin:20px 0 8px}
table{border-collapse:collapse;background:#fff;width:100%}th,td{border:1px solid #d5dbdb;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef0f2}code,pre{font:12px/1.4 ui-monospace,monospace}pre{white-space:pre-wrap;word-break:break-all;margin:4px 0}
.status{font-weight:600}.status.SUCCEEDED{color:#1d8102}.status.FAILED,.status.TIMED_OUT{color:#d13212}.status.ABORTED{color:#8a6d00}.status.RUNNING{color:#0073bb}
.tabs a{margin-right:12px}.tabs a.current{font-weight:700;text-decoration:none;color:#1d2433}
.error{background:#fde8e8;border:1px solid #d13212;padding:8px;margin-bottom:12px}
.graph{overflow:auto;background:#fff;border:1px solid #d5dbdb;padding:12px}
.block{position:relative;display:flex;flex-direction:column;align-items:center;gap:28px;padding:8px}
.layer{display:flex;gap:24px;justify-content:center;align-items:flex-start;position:relative;z-index:1}
.node{border:2px solid #879596;border-radius:6px;background:#fafafa;padding:4px 10px;min-width:90px;text-align:center}
.node .type{display:block;font-size:10px;color:#687078;text-transform:uppercase}
.node.succeeded{border-color:#1d8102;background:#e9f7e4}.node.running{border-color:#0073bb;background:#e6f2fb}
.node.failed{border-color:#d13212;background:#fde8e8;box-shadow:0 0 0 3px #f5b7b1}.node.aborted{border-color:#8a6d00;background:#fff6d6}
.branches{display:flex;gap:12px;margin-top:6px}.branches>.block{border:1px dashed #aab7b8;border-radius:6px}
svg.arrows{position:absolute;left:0;top:0;width:100%;height:100%;overflow:visible;z-index:0;pointer-events:none}
svg.arrows line{stroke:#aab7b8;stroke-width:1.5}svg.arrows line.taken{stroke:#1d8102;stroke-width:3}svg.arrows line.catch{stroke-dasharray:4 3}
form.inline{display:inline}button{font:inherit;padding:4px 12px;cursor:pointer}
header{display:flex;gap:16px;align-items:center}header .home{opacity:.8}header label{margin-left:auto;font-size:12px}
.notice{background:#e9f7e4;border:1px solid #1d8102;padding:8px;margin-bottom:12px}
form.filters{margin:8px 0;display:flex;gap:8px;align-items:center}form.filters input[type=search]{font:inherit;padding:3px 6px;min-width:240px}
.count{color:#687078;font-size:12px}
details.group{background:#fff;border:1px solid #d5dbdb;margin:2px 0}details.group>summary{padding:4px 8px;cursor:pointer}
details.group.failed>summary{background:#fde8e8}details.group .kind,details.group .meta{color:#687078;font-size:12px;margin-left:8px}
details.group table{border-width:1px 0 0}
.pages{margin:8px 0;display:flex;gap:12px;align-items:center}
ul.links{list-style:none;padding:0;margin:0;display:grid;gap:6px}ul.links a{display:block;background:#fff;border:1px solid #d5dbdb;border-radius:6px;padding:8px 12px;text-decoration:none;color:#0073bb}
ul.links a:hover{border-color:#0073bb}ul.links .what{display:block;color:#687078;font-size:12px}
`;

/** Draws each block's arrows between its own nodes (nested blocks draw theirs). */
const SCRIPT = `
function drawArrows(){
  for (const block of document.querySelectorAll('.block')) {
    const svg = block.querySelector(':scope > svg.arrows');
    if (!svg) continue;
    svg.replaceChildren();
    const origin = block.getBoundingClientRect();
    const nodes = new Map();
    for (const node of block.querySelectorAll(':scope > .layer > .node')) nodes.set(node.dataset.state, node);
    const ns = 'http://www.w3.org/2000/svg';
    const defs = document.createElementNS(ns, 'defs');
    const marker = document.createElementNS(ns, 'marker');
    const id = 'arrow-' + Math.random().toString(36).slice(2);
    marker.setAttribute('id', id); marker.setAttribute('viewBox', '0 0 10 10'); marker.setAttribute('refX', '10');
    marker.setAttribute('refY', '5'); marker.setAttribute('markerWidth', '8'); marker.setAttribute('markerHeight', '8');
    marker.setAttribute('markerUnits', 'userSpaceOnUse');
    marker.setAttribute('orient', 'auto-start-reverse');
    const tip = document.createElementNS(ns, 'path'); tip.setAttribute('d', 'M0,0 L10,5 L0,10 z'); tip.setAttribute('fill', '#687078');
    marker.append(tip); defs.append(marker); svg.append(defs);
    for (const edge of JSON.parse(block.dataset.edges || '[]')) {
      const from = nodes.get(edge.from), to = nodes.get(edge.to);
      if (!from || !to) continue;
      const a = from.getBoundingClientRect(), b = to.getBoundingClientRect();
      const down = b.top >= a.bottom;
      const line = document.createElementNS(ns, 'line');
      line.setAttribute('x1', a.left + a.width / 2 - origin.left);
      line.setAttribute('y1', (down ? a.bottom : a.top + a.height / 2) - origin.top);
      line.setAttribute('x2', (down ? b.left + b.width / 2 : b.right) - origin.left);
      line.setAttribute('y2', (down ? b.top : b.top + b.height / 2) - origin.top);
      line.setAttribute('marker-end', 'url(#' + id + ')');
      line.setAttribute('class', (edge.taken ? 'taken ' : '') + edge.kind);
      line.dataset.from = edge.from; line.dataset.to = edge.to;
      svg.append(line);
    }
  }
}
addEventListener('load', drawArrows);
addEventListener('resize', drawArrows);

// Live refresh: while the box is ticked, the page's own URL is fetched again every two seconds and <main>
// swapped when it changed, keeping open <details> open and leaving a search being typed alone.
let shownMain = document.querySelector('main')?.innerHTML ?? '';
async function refresh(){
  const box = document.getElementById('live');
  if (!box || !box.checked || document.activeElement?.matches('input[type=search]')) return;
  try {
    const response = await fetch(location.href, { headers: { accept: 'text/html' } });
    if (!response.ok) return;
    const next = new DOMParser().parseFromString(await response.text(), 'text/html').querySelector('main');
    const main = document.querySelector('main');
    if (!next || !main || next.innerHTML === shownMain) return;
    shownMain = next.innerHTML;
    const open = new Set([...main.querySelectorAll('details[open][data-key]')].map((details) => details.dataset.key));
    main.replaceWith(next);
    for (const details of next.querySelectorAll('details[data-key]')) if (open.has(details.dataset.key)) details.open = true;
    drawArrows();
  } catch {
    // The edge is restarting or gone: the next tick tries again.
  }
}
setInterval(refresh, 2000);
`;

/** A page in the console's look, with a link back to the /_aurora index; `live` ticks the refresh box. */
export function page(title: string, body: string, options: { live?: boolean } = {}): string {
  const live = `<label><input type="checkbox" id="live"${options.live ? ' checked' : ''}> Live refresh</label>`;
  return shell(
    `${title} · Aurora console`,
    `<a href="/_aurora/console">Aurora · Step Functions console</a><a class="home" href="/_aurora">All local consoles</a>${live}`,
    body,
    SCRIPT,
  );
}

/** The page frame every local console shares: the style, a header bar, the content. */
export function shell(title: string, header: string, body: string, script = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>${STYLE}</style></head>
<body><header>${header}</header>
<main>${body}</main>${script ? `<script>${script}</script>` : ''}</body></html>`;
}

export function isoTime(epochMs: number | undefined): string {
  return epochMs === undefined ? '' : new Date(epochMs).toISOString();
}
