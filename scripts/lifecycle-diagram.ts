// Rewrites docs/api.md's status diagram from functions/lib/volume/lifecycle.ts, the one
// declaration of the volume lifecycle: `node scripts/lifecycle-diagram.ts`.
// test/unit/lifecycle-diagram.test.ts fails while the two differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { withLifecycleDiagram } from './lifecycle-mermaid.ts';

const document = new URL('../docs/api.md', import.meta.url);
writeFileSync(document, withLifecycleDiagram(readFileSync(document, 'utf8')));
