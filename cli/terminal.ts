// What the CLI writes to, and how: colours and live lines only on a terminal that wants them.

/** A stream the CLI writes to: process.stdout or a test's buffer. */
export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** The process the CLI runs in, passed in so tests run it in memory. */
export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Where local mode's `.local/endpoints.json` is looked for. @default CLI_PROJECT_DIRECTORY */
  readonly projectDirectory?: string;
  /** @default globalThis.fetch */
  readonly fetch?: (request: Request) => Promise<Response>;
  /** @default setTimeout */
  readonly sleep?: (milliseconds: number) => Promise<void>;
}

/** How output looks: `fancy` is colours, symbols and a spinner, for a person at a terminal. */
export interface Style {
  readonly json: boolean;
  readonly fancy: boolean;
}

/**
 * Colours and live lines only when stdout is a terminal, NO_COLOR is unset
 * (https://no-color.org: any non-empty value) and TERM is not `dumb`; never with JSON output.
 */
export function styleFor(io: CliIo, output: 'human' | 'json'): Style {
  const json = output === 'json';
  const fancy = !json && io.stdout.isTTY === true && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
  return { json, fancy };
}

const CODES = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33, cyan: 36 } as const;

/** `text` in a colour when the style is fancy, as it is otherwise. */
export function paint(style: Style, colour: keyof typeof CODES, text: string): string {
  return style.fancy ? `\u001b[${CODES[colour]}m${text}\u001b[0m` : text;
}

/** Erases the current line of a terminal, for a live line about to be redrawn or replaced. */
export const CLEAR_LINE = '\r\u001b[2K';
