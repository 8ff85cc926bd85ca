#!/usr/bin/env node
// The `efs-volumes` command. cli/main.ts is TypeScript that Node 24 runs as it is (type
// stripping). `npx efs-volumes` in the project puts node_modules/.bin first on PATH, so the
// `node` above is the project's Node 24; started by an older Node, this file hands over to
// the project's Node 24 if it is installed, and otherwise says what is needed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const NEEDED = 24;
const major = Number(process.versions.node.split('.')[0]);
if (major < NEEDED) {
  const projectNode = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
  if (existsSync(projectNode) && !process.env.EFS_VOLUMES_HANDED_OVER) {
    const { status, signal } = spawnSync(
      projectNode,
      [fileURLToPath(import.meta.url), ...process.argv.slice(2)],
      { stdio: 'inherit', env: { ...process.env, EFS_VOLUMES_HANDED_OVER: '1' } },
    );
    process.exit(status ?? (signal ? 1 : 0));
  }
  process.stderr.write(
    `efs-volumes needs Node ${NEEDED} or newer, and this is Node ${process.versions.node}.\n` +
      'Run `npm ci` in the project, then `npx efs-volumes …` there (npm runs it on the Node 24 ' +
      'of node_modules), or install Node 24.\n',
  );
  process.exit(2);
}
const { main } = await import('../cli/main.ts');
await main();
