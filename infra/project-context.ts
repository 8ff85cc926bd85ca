import { existsSync, readFileSync } from 'node:fs';
import { PROJECT_ROOT } from './service-function.ts';

/**
 * The context the CDK CLI would give the app: cdk.json's `context`, then cdk.context.json.
 * `node infra/app.ts` (npm run synth) and the tests read it here, so they synthesize what
 * `cdk deploy` deploys; under the CLI, CDK_CONTEXT_JSON already carries it.
 */
export function projectContext(root = PROJECT_ROOT): Record<string, unknown> {
  const read = (file: string): Record<string, unknown> => {
    const path = `${root}${file}`;
    return existsSync(path)
      ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>)
      : {};
  };
  const cdkJson = read('cdk.json');
  const context = (cdkJson.context ?? {}) as Record<string, unknown>;
  return { ...context, ...read('cdk.context.json') };
}
