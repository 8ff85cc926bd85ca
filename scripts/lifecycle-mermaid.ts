// The status diagram of docs/api.md, drawn from functions/lib/volume/lifecycle.ts, the one
// declaration of the volume lifecycle. scripts/lifecycle-diagram.ts writes it;
// test/unit/lifecycle-diagram.test.ts fails while the document's differs.
import {
  ALL_STATUSES,
  type LifecycleEvent,
  statusesWhere,
  TRANSITIONS,
} from '../functions/lib/volume/lifecycle.ts';

/** Mermaid's name for "no record": before the volume is requested, after it is withdrawn. */
const NO_RECORD = '[*]';

/** The first line of the diagram's code block, by which the document's diagram is found. */
const DIAGRAM_START = '```mermaid\nstateDiagram-v2\n';

/** A status's place in the diagram: openapi.yaml's order, no record first. */
function rank(status: string): number {
  return ALL_STATUSES.indexOf(status as (typeof ALL_STATUSES)[number]);
}

/**
 * Each move from one status to another, with the events that make it in declaration order;
 * the moves ordered by the status they start from, then the one they end in.
 */
function edges(): Array<[string, LifecycleEvent[]]> {
  const byEdge = new Map<string, LifecycleEvent[]>();
  for (const [event, transition] of Object.entries(TRANSITIONS) as Array<
    [LifecycleEvent, (typeof TRANSITIONS)[LifecycleEvent]]
  >) {
    const from = transition.from.length > 0 ? transition.from : [NO_RECORD];
    const to = transition.to.length > 0 ? transition.to : [NO_RECORD];
    for (const start of from) {
      for (const end of to) {
        const edge = JSON.stringify([start, end]);
        byEdge.set(edge, [...(byEdge.get(edge) ?? []), event]);
      }
    }
  }
  return [...byEdge]
    .map(([edge, events]) => [JSON.parse(edge) as [string, string], events] as const)
    .sort(([[fromA, toA]], [[fromB, toB]]) => rank(fromA) - rank(fromB) || rank(toA) - rank(toB))
    .map(([[start, end], events]) => [`${start} --> ${end}`, events]);
}

/**
 * The lifecycle as a Mermaid state diagram: one arrow per move, labelled with the events that
 * make it; the statuses a volume rests in (settled) drawn apart.
 */
export function lifecycleDiagram(): string {
  const arrows = edges().map(([edge, events]) => `  ${edge}: ${events.join(', ')}`);
  const settled = statusesWhere('settled');
  return [
    DIAGRAM_START.trimEnd(),
    ...arrows,
    '  classDef settled font-weight:bold,stroke-width:3px',
    `  class ${settled.join(', ')} settled`,
    '```',
  ].join('\n');
}

/**
 * The document with its status diagram replaced by the one the lifecycle gives.
 * @throws Error when the document has no status diagram to replace
 */
export function withLifecycleDiagram(document: string): string {
  const start = document.indexOf(DIAGRAM_START);
  // From the newline that ends the block's first lines: an empty block closes right there.
  const end = start < 0 ? -1 : document.indexOf('\n```', start + DIAGRAM_START.length - 1);
  if (end < 0) {
    throw new Error(
      `no status diagram to replace: add a code block starting ${JSON.stringify(DIAGRAM_START)} and ending with \`\`\``,
    );
  }
  return `${document.slice(0, start)}${lifecycleDiagram()}${document.slice(end + '\n```'.length)}`;
}
