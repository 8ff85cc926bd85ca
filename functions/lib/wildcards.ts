/**
 * Whether `value` matches `pattern` with `*` (any run of characters) and `?` (any one), case
 * sensitive, the whole value: as a Fargate profile selector's namespace, and as IAM's string
 * and ARN patterns.
 */
export function wildcardMatches(pattern: string, value: string): boolean {
  const expression = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${expression}$`).test(value);
}
