import { beforeAll } from 'vitest';
import { CONFIGURED, type SynthesizedStack, synthesize } from '../infra/synthesize.ts';

// Vitest gives each test file its own copy of this module, so these bindings belong to the file
// that imports them, and a file's stacks are synthesized once, for that file alone.

/** The stack as cdk.json configures it; set by {@link synthesizeBeforeAll}. */
export let plain: SynthesizedStack;
/** The stack with every optional part on ({@link CONFIGURED}); set by {@link synthesizeBeforeAll}. */
export let configured: SynthesizedStack;

/**
 * Synthesizes the named stacks in the calling test file's `beforeAll`. Synthesis takes seconds,
 * so a file names only the stacks its tests read.
 */
export function synthesizeBeforeAll(...stacks: ('plain' | 'configured')[]): void {
  beforeAll(() => {
    if (stacks.includes('plain')) plain = synthesize();
    if (stacks.includes('configured')) configured = synthesize({ config: CONFIGURED });
  });
}
