/**
 * JSON merge patch (RFC 7386), used for `application/merge-patch+json` and, as a
 * simplification, for strategic merge patches too (lists are replaced, not merged by key).
 */
import { cloneObject, isJsonMap, type JsonMap } from './objects.ts';

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonMap(patch)) return cloneObject(patch);
  const result: JsonMap = isJsonMap(target) ? cloneObject(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else {
      result[key] = applyMergePatch(result[key], value);
    }
  }
  return result;
}
