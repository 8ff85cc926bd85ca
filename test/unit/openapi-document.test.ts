import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('openapi.yaml', () => {
  it('is a valid OpenAPI 3.1 document by an independent validator', async () => {
    // Act
    const result = await new Validator().validate(`${root}openapi.yaml`);

    // Assess
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('matches the generated types and schemas (npm run generate)', () => {
    // Act / Assess: exits non-zero when functions/generated is stale
    expect(() =>
      execFileSync(process.execPath, ['scripts/generate-openapi.ts', '--check'], {
        cwd: root,
        stdio: 'pipe',
      }),
    ).not.toThrow();
  });
});
