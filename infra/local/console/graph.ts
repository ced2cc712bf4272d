/**
 * An ASL definition drawn as HTML: each block of states is a top-down stack of layers (longest path from
 * StartAt, loops ignored), Parallel branches and Map processors are nested blocks inside their state's box.
 * Arrows are drawn by the page's script from each block's `data-edges`; statuses come from the history.
 */
import { type ExecutionPath, transitionKey } from './execution-path';
import { escapeHtml } from './html';

interface Block {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, Record<string, unknown>>>;
}

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly kind: 'next' | 'choice' | 'catch';
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function asBlock(value: unknown): Block | undefined {
  if (!isRecord(value) || typeof value.StartAt !== 'string' || !isRecord(value.States)) return undefined;
  const states: Record<string, Record<string, unknown>> = {};
  for (const [name, state] of Object.entries(value.States)) if (isRecord(state)) states[name] = state;
  return { StartAt: value.StartAt, States: states };
}

function edgesOf(name: string, state: Record<string, unknown>): Edge[] {
  const edges: Edge[] = [];
  const add = (to: unknown, kind: Edge['kind']) => {
    if (typeof to === 'string') edges.push({ from: name, to, kind });
  };
  add(state.Next, 'next');
  if (Array.isArray(state.Choices))
    for (const rule of state.Choices) if (isRecord(rule)) add(rule.Next, 'choice');
  add(state.Default, 'choice');
  if (Array.isArray(state.Catch))
    for (const catcher of state.Catch) if (isRecord(catcher)) add(catcher.Next, 'catch');
  return edges;
}

/** Layers by longest path from StartAt over forward edges; unreachable states go below everything. */
function layers(block: Block, edges: readonly Edge[]): string[][] {
  const successors = new Map<string, string[]>();
  for (const edge of edges) {
    if (!(edge.to in block.States)) continue;
    successors.set(edge.from, [...(successors.get(edge.from) ?? []), edge.to]);
  }
  // Depth-first order finds the edges that close loops; the rest form a DAG.
  const onStack = new Set<string>();
  const visited = new Set<string>();
  const order: string[] = [];
  const backEdges = new Set<string>();
  const visit = (name: string) => {
    visited.add(name);
    onStack.add(name);
    for (const next of successors.get(name) ?? []) {
      if (onStack.has(next)) backEdges.add(transitionKey(name, next));
      else if (!visited.has(next)) visit(next);
    }
    onStack.delete(name);
    order.push(name);
  };
  if (block.StartAt in block.States) visit(block.StartAt);
  const depth = new Map<string, number>([[block.StartAt, 0]]);
  for (const name of order.reverse()) {
    const here = depth.get(name) ?? 0;
    for (const next of successors.get(name) ?? []) {
      if (!backEdges.has(transitionKey(name, next)))
        depth.set(next, Math.max(depth.get(next) ?? 0, here + 1));
    }
  }
  const rows: string[][] = [];
  const deepest = Math.max(0, ...depth.values());
  for (const name of Object.keys(block.States)) {
    const row = visited.has(name) ? (depth.get(name) ?? 0) : deepest + 1;
    while (rows.length <= row) rows.push([]);
    rows[row]?.push(name);
  }
  return rows.filter((row) => row.length > 0);
}

function nestedBlocks(state: Record<string, unknown>): Block[] {
  if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
    return state.Branches.map(asBlock).filter((block): block is Block => block !== undefined);
  }
  if (state.Type === 'Map') {
    const processor = asBlock(state.ItemProcessor ?? state.Iterator);
    return processor ? [processor] : [];
  }
  return [];
}

function renderNode(name: string, state: Record<string, unknown>, path: ExecutionPath): string {
  const status = path.states.get(name) ?? 'not-run';
  const type = typeof state.Type === 'string' ? state.Type : 'Unknown';
  const children = nestedBlocks(state);
  const inner =
    children.length > 0
      ? `<div class="branches">${children.map((child) => renderBlock(child, path)).join('')}</div>`
      : '';
  const end = state.End === true || type === 'Succeed' || type === 'Fail' ? ' data-end="true"' : '';
  return `<div class="node ${escapeHtml(status)}" data-state="${escapeHtml(name)}" data-status="${escapeHtml(status)}" data-type="${escapeHtml(type)}"${end}><div class="label"><span class="type">${escapeHtml(type)}</span> ${escapeHtml(name)}</div>${inner}</div>`;
}

function renderBlock(block: Block, path: ExecutionPath): string {
  const edges = Object.entries(block.States).flatMap(([name, state]) => edgesOf(name, state));
  const drawn = edges
    .filter((edge) => edge.to in block.States)
    .map((edge) => ({ ...edge, taken: path.transitions.has(transitionKey(edge.from, edge.to)) }));
  const rows = layers(block, edges)
    .map(
      (row) =>
        `<div class="layer">${row.map((name) => renderNode(name, block.States[name] ?? {}, path)).join('')}</div>`,
    )
    .join('');
  return `<div class="block" data-start="${escapeHtml(block.StartAt)}" data-edges="${escapeHtml(JSON.stringify(drawn))}"><svg class="arrows" aria-hidden="true"></svg>${rows}</div>`;
}

/** The definition as a graph; an unparsable definition is shown as text instead. */
export function renderGraph(definitionText: string, path: ExecutionPath): string {
  let definition: unknown;
  try {
    definition = JSON.parse(definitionText);
  } catch {
    definition = undefined;
  }
  const block = asBlock(definition);
  if (!block) return `<pre class="json">${escapeHtml(definitionText)}</pre>`;
  return `<div class="graph">${renderBlock(block, path)}</div>`;
}
