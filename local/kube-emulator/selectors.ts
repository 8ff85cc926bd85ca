/**
 * `labelSelector` and `fieldSelector` of list requests: equality, inequality, existence and
 * set-based label requirements; equality on dotted field paths.
 */
import { type KubeObject, valueAt } from './objects.ts';
import { badRequest } from './status.ts';

export type ObjectFilter = (object: KubeObject) => boolean;

/** Splits at commas that are not inside `( … )`. */
function splitRequirements(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of selector) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part.length > 0);
}

function parseLabelRequirement(requirement: string): ObjectFilter {
  const labels = (object: KubeObject): Record<string, string> => object.metadata.labels ?? {};
  const set = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(requirement);
  if (set?.[1] && set[2] && set[3] !== undefined) {
    const key = set[1];
    const values = new Set(set[3].split(',').map((value) => value.trim()));
    return set[2] === 'in'
      ? (object) => values.has(labels(object)[key] ?? '\u0000absent')
      : (object) => !values.has(labels(object)[key] ?? '\u0000absent');
  }
  const comparison = /^([^\s!=]+)\s*(==|!=|=)\s*([^\s]*)$/.exec(requirement);
  if (comparison?.[1] && comparison[2]) {
    const key = comparison[1];
    const value = comparison[3] ?? '';
    return comparison[2] === '!='
      ? (object) => labels(object)[key] !== value
      : (object) => labels(object)[key] === value;
  }
  const absent = /^!\s*([^\s!=(),]+)$/.exec(requirement);
  if (absent?.[1]) {
    const key = absent[1];
    return (object) => labels(object)[key] === undefined;
  }
  if (/^[^\s!=(),]+$/.test(requirement)) {
    return (object) => labels(object)[requirement] !== undefined;
  }
  throw badRequest(
    `unable to parse requirement: found '${requirement}', expected: valid requirement`,
  );
}

function parseFieldRequirement(requirement: string): ObjectFilter {
  const match = /^([A-Za-z0-9_.-]+)\s*(==|!=|=)\s*(.*)$/.exec(requirement);
  if (!match?.[1] || !match[2]) {
    throw badRequest(`invalid selector: '${requirement}'; can't understand '${requirement}'`);
  }
  const path = match[1].split('.');
  const value = match[3] ?? '';
  const fieldValue = (object: KubeObject) => {
    const found = valueAt(object, path);
    return found === undefined || found === null ? '' : String(found);
  };
  return match[2] === '!='
    ? (object) => fieldValue(object) !== value
    : (object) => fieldValue(object) === value;
}

function combine(filters: ObjectFilter[]): ObjectFilter {
  return (object) => filters.every((filter) => filter(object));
}

/** @throws KubeApiError BadRequest when the selector does not parse */
export function parseLabelSelector(selector: string | null): ObjectFilter {
  return combine(splitRequirements(selector ?? '').map(parseLabelRequirement));
}

/** @throws KubeApiError BadRequest when the selector does not parse */
export function parseFieldSelector(selector: string | null): ObjectFilter {
  return combine(splitRequirements(selector ?? '').map(parseFieldRequirement));
}
