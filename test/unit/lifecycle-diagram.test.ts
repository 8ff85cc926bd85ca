import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lifecycleDiagram, withLifecycleDiagram } from '../../scripts/lifecycle-mermaid.ts';

const API_DOC = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');

describe("docs/api.md's status diagram", () => {
  it('is the one functions/lib/volume/lifecycle.ts gives (node scripts/lifecycle-diagram.ts writes it)', () => {
    // Act
    const regenerated = withLifecycleDiagram(API_DOC);

    // Assess
    expect(regenerated).toBe(API_DOC);
    expect(API_DOC).toContain(lifecycleDiagram());
  });

  it('draws every move of the lifecycle, labelled with its events', () => {
    // Act
    const diagram = lifecycleDiagram();

    // Assess
    expect(diagram).toContain('  [*] --> PENDING: requested\n');
    expect(diagram).toContain('  PENDING --> [*]: withdrawn\n');
    expect(diagram).toContain('  DELETE_FAILED --> DELETING: deleteRequested\n');
    expect(diagram).toContain('  REPAIRING --> READY: repairEnded\n');
  });

  it('tells a document that has lost a move from the generated one', () => {
    // Prepare
    const edited = API_DOC.replace('  REPAIRING --> READY: repairEnded\n', '');

    // Act
    const regenerated = withLifecycleDiagram(edited);

    // Assess
    expect(edited).not.toBe(API_DOC);
    expect(regenerated).not.toBe(edited);
    expect(regenerated).toBe(API_DOC);
  });

  it('refuses a document without a status diagram, saying what to add', () => {
    // Act
    const rewrite = () => withLifecycleDiagram('# API\n');

    // Assess
    expect(rewrite).toThrow(/no status diagram to replace: add a code block starting/);
  });
});
