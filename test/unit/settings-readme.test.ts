import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  configurationRows,
  readmeConfigurationProblems,
  withConfigurationTable,
} from '../../infra/function-settings.ts';

// The configuration reference: docs/configuration.md (README.md links to it).
const README = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');

describe("docs/configuration.md's configuration table", () => {
  it('lists every setting functions/lib/settings.ts declares, as declared, and nothing else', () => {
    // Prepare
    const readme = README;

    // Act
    const problems = readmeConfigurationProblems(readme);

    // Assess (each problem gives the row to write; node scripts/configuration-table.ts writes them all)
    expect(problems).toEqual([]);
  });

  it('fails naming the row to add when a declared setting is missing', () => {
    // Prepare
    const readme = README.split('\n')
      .filter((line) => !line.startsWith('| `CLAIM_MAX_CHECKS`'))
      .join('\n');

    // Act
    const problems = readmeConfigurationProblems(readme);

    // Assess
    expect(problems).toEqual([
      expect.stringMatching(
        /^docs\/configuration\.md's configuration table has no row for `CLAIM_MAX_CHECKS`: add \| `CLAIM_MAX_CHECKS` \| claim binding wait/,
      ),
    ]);
  });

  it('fails when a documented default differs from the declared one', () => {
    // Prepare
    const readme = README.replace(
      /(\| `MOUNT_TARGET_FIRST_WAIT_SECONDS` +\|[^|]+\| )`75`/,
      '$1`30`',
    );

    // Act
    const problems = readmeConfigurationProblems(readme);

    // Assess
    expect(readme).not.toBe(README);
    expect(problems).toEqual([
      expect.stringContaining(
        "docs/configuration.md's row for `MOUNT_TARGET_FIRST_WAIT_SECONDS` differs from functions/lib/settings.ts: write",
      ),
    ]);
  });

  it('fails on a documented variable that is not declared', () => {
    // Prepare
    const rows = README.split('\n');
    const last = rows.findLastIndex((line) => line.startsWith('| `POWERTOOLS_LOG_LEVEL`'));
    rows.splice(last + 1, 0, '| `UNDECLARED_SETTING` | something | `1` | steps | stack |');

    // Act
    const problems = readmeConfigurationProblems(rows.join('\n'));

    // Assess
    expect(problems).toEqual([
      expect.stringContaining(
        'docs/configuration.md documents `UNDECLARED_SETTING`, which functions/lib/settings.ts does not declare',
      ),
    ]);
  });

  it('is what the declarations generate, one row per setting', () => {
    // Prepare
    const declared = configurationRows();

    // Act
    const regenerated = withConfigurationTable(README);

    // Assess
    expect(regenerated).toBe(README);
    expect(declared.length).toBeGreaterThan(15);
  });
});
