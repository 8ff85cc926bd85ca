/**
 * A YAML emitter for JSON-like values (plain objects, arrays, strings, finite numbers,
 * booleans, null), for the manifests this service renders: what js-yaml's `dump(value,
 * { lineWidth: -1, noRefs: true })` writes for them, byte for byte (test/unit/yaml.test.ts
 * compares the two), at a few hundred bytes of bundle instead of js-yaml's 44 kB, which also
 * runs code when loaded. For any other string it may quote where js-yaml would not; what it
 * writes always loads back as the same value.
 */

type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

/**
 * A plain scalar js-yaml would write as is: it starts with a letter, digit, `_`, `/`, `.` or
 * `<`, holds no `#`, no flow or quote characters, no `: ` (see scalar), and does not end with
 * `:` or a space.
 */
const PLAIN = /^[A-Za-z0-9_./<](?:[A-Za-z0-9_./<>:@=+ -]*[A-Za-z0-9_./<>@=+-])?$/;

/**
 * What js-yaml's default schema would read as something other than a string: null, booleans
 * (YAML 1.2 core, and YAML 1.1's y/n/yes/no/on/off, which js-yaml quotes too: Kubernetes'
 * YAML reader knows them), numbers in any of its notations, timestamps, and the merge key. A string
 * like these is quoted. Some of them (`-5`, `+1`) cannot be plain by PLAIN anyway.
 */
const NOT_A_STRING =
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[yYnN]|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|<<|[-+]?(?:\.(?:inf|Inf|INF)|[0-9][0-9_]*(?::[0-5]?[0-9])*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+]?[0-9]+)?|0b[0-1_]+|0x[0-9a-fA-F_]+|0o?[0-7_]+)|\.(?:nan|NaN|NAN)|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*)$/;

/** Control characters, and the line breaks YAML knows, which a single-quoted scalar cannot hold. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: they are what it finds
const NEEDS_ESCAPES = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;

function scalar(value: string): string {
  if (PLAIN.test(value) && !value.includes(': ') && !NOT_A_STRING.test(value)) return value;
  // js-yaml's choice for the rest: single quotes, or double quotes with escapes (JSON's
  // escapes are all YAML double-quoted escapes).
  return NEEDS_ESCAPES.test(value) ? JSON.stringify(value) : `'${value.replaceAll("'", "''")}'`;
}

function leaf(value: Json): string | undefined {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`YAML: ${value} is not a finite number`);
    return Object.is(value, -0) ? '-0.0' : String(value);
  }
  if (typeof value === 'string') return scalar(value);
  if (Array.isArray(value)) return value.length === 0 ? '[]' : undefined;
  return Object.keys(value).length === 0 ? '{}' : undefined;
}

/** Lines of `value` (an object or array with something in it) at `indent` spaces. */
function block(value: Json, indent: string): string[] {
  const lines: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value as readonly Json[]) {
      const simple = leaf(item);
      if (simple !== undefined) {
        lines.push(`${indent}- ${simple}`);
        continue;
      }
      // The item's first line goes after the dash, the rest under it.
      const [first, ...rest] = block(item, `${indent}  `);
      lines.push(`${indent}- ${(first as string).slice(indent.length + 2)}`, ...rest);
    }
    return lines;
  }
  for (const [key, item] of Object.entries(value as { readonly [key: string]: Json })) {
    if (item === undefined) continue;
    const simple = leaf(item);
    if (simple !== undefined) lines.push(`${indent}${scalar(key)}: ${simple}`);
    else lines.push(`${indent}${scalar(key)}:`, ...block(item, `${indent}  `));
  }
  return lines;
}

/** One YAML document for `value`, ending with a line break. */
export function toYaml(value: unknown): string {
  const json = value as Json;
  const simple = leaf(json);
  return `${simple ?? block(json, '').join('\n')}\n`;
}
