// Rewrites docs/configuration.md's configuration table from functions/lib/settings.ts, the one declaration
// of the functions' environment variables: `node scripts/configuration-table.ts`.
// test/unit/settings-readme.test.ts fails while the two differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { withConfigurationTable } from '../infra/function-settings.ts';

const readme = new URL('../docs/configuration.md', import.meta.url);
writeFileSync(readme, withConfigurationTable(readFileSync(readme, 'utf8')));
