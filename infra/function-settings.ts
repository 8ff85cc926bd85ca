// Checks a function's environment against functions/lib/settings.ts, the one declaration of
// every variable the functions read. The stack's test runs it on every synthesized function and
// local mode on every function it starts; each problem says what to add where. Plain Node.
import {
  SETTINGS,
  type SettingDeclaration,
  type SettingName,
  type SettingReader,
  settingDeclaration,
} from '../functions/lib/settings.ts';

/** What the check needs of a function of infra/function-catalog.ts. */
export interface SettingsReader {
  readonly name: string;
  readonly kind: 'step' | 'api' | 'event' | 'schedule';
}

const DECLARATIONS: readonly (readonly [SettingName, SettingDeclaration])[] = (
  Object.keys(SETTINGS) as SettingName[]
).map((name) => [name, settingDeclaration(name)]);

function reads(fn: SettingsReader, readers: readonly SettingReader[]): boolean {
  return readers.includes(fn.kind) || readers.includes(fn.name);
}

function isDeclared(variable: string): variable is SettingName {
  return Object.hasOwn(SETTINGS, variable);
}

/** The settings a function reads, by the declarations' `readBy`. */
export function settingsReadBy(fn: SettingsReader): SettingName[] {
  return DECLARATIONS.filter(([, setting]) => reads(fn, setting.readBy)).map(([name]) => name);
}

/**
 * How the environment the stack gives `fn` differs from the declarations: a variable not
 * declared, one declared for other readers or for local mode only, or one the stack must set
 * (`setBy: 'stack'`) and does not.
 */
export function stackEnvironmentProblems(
  fn: SettingsReader,
  environment: Readonly<Record<string, unknown>>,
): string[] {
  const problems: string[] = [];
  for (const variable of Object.keys(environment)) {
    if (!isDeclared(variable)) {
      problems.push(
        `the stack sets ${variable} for ${fn.name}, which functions/lib/settings.ts does not declare: ` +
          `add ${variable} to SETTINGS there (type, default) and SETTING_DOCS (meaning, readBy: ['${fn.kind}'], setBy: 'stack'), ` +
          'then the row docs/configuration.md prints (test/unit/settings-readme.test.ts)',
      );
      continue;
    }
    const setting: SettingDeclaration = settingDeclaration(variable);
    if (setting.setBy === 'local mode') {
      problems.push(
        `the stack sets ${variable} for ${fn.name}, but it is declared local mode only`,
      );
    } else if (!reads(fn, setting.readBy)) {
      problems.push(
        `the stack sets ${variable} for ${fn.name}, but functions/lib/settings.ts says only ` +
          `${setting.readBy.join(', ')} read it: add '${fn.name}' (or '${fn.kind}') to its readBy, or stop setting it`,
      );
    }
  }
  for (const [name, setting] of DECLARATIONS) {
    if (setting.setBy === 'stack' && reads(fn, setting.readBy) && !(name in environment)) {
      problems.push(
        `functions/lib/settings.ts says the stack sets ${name} for every function that reads it ` +
          `(${setting.readBy.join(', ')}), but ${fn.name} does not get it: set it in the stack, or ` +
          "narrow readBy, or declare it setBy: 'stack when configured'",
      );
    }
  }
  return problems;
}

/**
 * The settings `fn` reads that have neither a default nor a meaning when unset, and are not in
 * `environment`: the function would fail on its first use of them.
 */
export function missingSettings(
  fn: SettingsReader,
  environment: Readonly<Record<string, string | undefined>>,
): SettingName[] {
  return DECLARATIONS.filter(
    ([name, setting]) =>
      reads(fn, setting.readBy) &&
      setting.default === undefined &&
      setting.unset === undefined &&
      !environment[name],
  ).map(([name]) => name);
}

const READER_NAMES: Readonly<Record<string, string>> = {
  step: 'steps',
  api: 'API',
  event: 'request events',
  schedule: 'scheduled check',
};

function defaultText(setting: SettingDeclaration): string {
  if (setting.default !== undefined) return `\`${String(setting.default)}\``;
  return setting.unset ?? '— (must be set)';
}

/** The rows of the configuration table of docs/configuration.md, one per declared setting, in declaration order. */
export function configurationRows(): string[][] {
  return DECLARATIONS.map(([name, setting]) => [
    `\`${name}\``,
    setting.meaning,
    defaultText(setting),
    setting.readBy.map((reader) => READER_NAMES[reader] ?? `\`${reader}\``).join(', '),
    setting.setBy,
  ]);
}

/** The header of the configuration table of docs/configuration.md. */
export const CONFIGURATION_HEADER: readonly string[] = [
  'Variable',
  'Meaning',
  'Default',
  'Read by',
  'Set by',
];

/** the configuration table of docs/configuration.md as Markdown (columns padded as the formatter pads them). */
export function configurationTable(): string {
  const rows = [[...CONFIGURATION_HEADER], ...configurationRows()];
  const widths = CONFIGURATION_HEADER.map((_, column) =>
    Math.max(3, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  const [header, ...body] = rows;
  return [
    line(header ?? []),
    line(widths.map((width) => '-'.repeat(width))),
    ...body.map(line),
  ].join('\n');
}

const CONFIGURATION_HEADING = '# Configuration';

/** The lines of the configuration table of docs/configuration.md: the first table after its heading. */
function configurationTableLines(readme: string): { start: number; end: number } {
  const lines = readme.split('\n');
  const heading = lines.indexOf(CONFIGURATION_HEADING);
  if (heading < 0)
    throw new Error(`docs/configuration.md has no "${CONFIGURATION_HEADING}" section`);
  const start = lines.findIndex((line, index) => index > heading && line.startsWith('|'));
  let end = start;
  while (end < lines.length && lines[end]?.startsWith('|')) end += 1;
  return { start, end };
}

function cellsOf(line: string): string[] {
  return line
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(' | ')
    .map((cell) => cell.trim());
}

/**
 * How the configuration table of docs/configuration.md differs from the declarations, each problem with the row
 * to write; empty when they agree (padding aside). `node scripts/configuration-table.ts`
 * rewrites the table.
 */
export function readmeConfigurationProblems(readme: string): string[] {
  const { start, end } = configurationTableLines(readme);
  const documented = readme
    .split('\n')
    .slice(start + 2, end)
    .map(cellsOf);
  const byVariable = new Map(documented.map((cells) => [cells[0] ?? '', cells]));
  const declared = configurationRows();
  const problems: string[] = [];
  const render = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const header = cellsOf(readme.split('\n')[start] ?? '');
  if (render(header) !== render(CONFIGURATION_HEADER)) {
    problems.push(
      `docs/configuration.md's configuration table must have the columns ${render(CONFIGURATION_HEADER)}`,
    );
  }
  for (const row of declared) {
    const variable = row[0] ?? '';
    const found = byVariable.get(variable);
    if (!found) {
      problems.push(
        `docs/configuration.md's configuration table has no row for ${variable}: add ${render(row)}`,
      );
    } else if (render(found) !== render(row)) {
      problems.push(
        `docs/configuration.md's row for ${variable} differs from functions/lib/settings.ts: write ${render(row)}`,
      );
    }
  }
  const declaredVariables = new Set(declared.map((row) => row[0]));
  for (const [variable] of byVariable) {
    if (!declaredVariables.has(variable)) {
      problems.push(
        `docs/configuration.md documents ${variable}, which functions/lib/settings.ts does not declare: ` +
          'declare it in SETTINGS (type, default) and SETTING_DOCS (meaning, readBy, setBy) there, or remove the row',
      );
    }
  }
  return problems;
}

/** docs/configuration.md with its configuration table replaced by the one the declarations give. */
export function withConfigurationTable(readme: string): string {
  const { start, end } = configurationTableLines(readme);
  const lines = readme.split('\n');
  return [...lines.slice(0, start), configurationTable(), ...lines.slice(end)].join('\n');
}
