import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../../infra/service-function.ts';

const STATEMENT =
  /(?:^|[\n;])\s*(import|export)\s+(type\s+)?(?:([\w*\s{},$]*?)\s+from\s+)?['"]([^'"]+)['"]/g;

/** An import that brings no code: `import type …`, or braces of `type` names only. */
function typeOnly(typeKeyword: string | undefined, clause: string | undefined): boolean {
  if (typeKeyword) return true;
  const braces = clause?.trim().match(/^\{([\s\S]*)\}$/);
  if (!braces) return false;
  const names = (braces[1] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  return names.length > 0 && names.every((name) => name.startsWith('type '));
}

function aliases(): [string, string][] {
  const { imports } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    imports: Record<string, string>;
  };
  return Object.entries(imports);
}

function resolveSpecifier(from: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) return resolve(dirname(from), specifier);
  for (const [pattern, target] of aliases()) {
    const prefix = pattern.replace('*', '');
    if (specifier.startsWith(prefix)) {
      return resolve(PROJECT_ROOT, target.replace('*', specifier.slice(prefix.length)));
    }
  }
  return undefined;
}

/**
 * The npm packages a handler file pulls code from, following its value imports (relative and
 * package.json `imports` aliases) the way a bundler does and skipping type-only imports.
 */
export function packagesImportedBy(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(STATEMENT)) {
      const [, , typeKeyword, clause, specifier = ''] = match;
      if (typeOnly(typeKeyword, clause)) continue;
      const local = resolveSpecifier(file, specifier);
      if (local) visit(local);
      else if (!specifier.startsWith('node:')) {
        const [scope, name] = specifier.split('/');
        packages.add(specifier.startsWith('@') ? `${scope}/${name}` : (scope ?? specifier));
      }
    }
  };
  visit(resolve(PROJECT_ROOT, entry));
  return packages;
}
