// Rewrites functions/lib/aws/oracle.generated.ts from the AWS SDK's service models in
// node_modules (scripts/aws-oracle-model.ts): `node scripts/aws-oracle.ts`.
// test/unit/aws-oracle.test.ts fails while the two differ.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildOracle, renderOracle } from './aws-oracle-model.ts';

const path = (relative: string) => fileURLToPath(new URL(`../${relative}`, import.meta.url));
const target = path('functions/lib/aws/oracle.generated.ts');

writeFileSync(target, renderOracle(buildOracle(path('node_modules/@aws-sdk'), path('functions'))));
execFileSync(path('node_modules/.bin/biome'), ['format', '--write', target], { stdio: 'inherit' });
