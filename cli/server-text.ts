// What the server says, made safe to print: a server (or anything between it and us) could
// otherwise clear the screen, rewrite lines, retitle the window or set the clipboard (OSC 52)
// through a volume name, a step name or a problem's detail. The CLI cleans every answer once,
// where it arrives (terminalSafeFetch), so no printing code has to remember to.

/**
 * Terminal controls, whole: string commands (OSC, DCS, SOS, PM, APC, 7- or 8-bit) up to their
 * terminator (BEL, ST; without one only the introducer goes, below, and the rest, inert, is
 * printed rather than lost); CSI sequences (ESC [ or 0x9b) with their parameters and
 * final byte; other escapes (ESC, intermediates, a final byte); then any C0 control but
 * newline and tab, DEL and any C1 control left alone.
 */
const TERMINAL_CONTROL = new RegExp(
  [
    '(?:\\u001b[\\]PX^_]|[\\u0090\\u0098\\u009d\\u009e\\u009f])[^\\u0007\\u001b\\u0080-\\u009f]*(?:\\u0007|\\u001b\\\\|\\u009c)',
    '(?:\\u001b\\[|\\u009b)[\\u0030-\\u003f]*[\\u0020-\\u002f]*[\\u0040-\\u007e]?',
    '\\u001b[\\u0020-\\u002f]*[\\u0030-\\u007e]?',
    '[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]',
  ].join('|'),
  'g',
);

/**
 * `text` without anything a terminal would act on: escape sequences are removed whole (so
 * `ESC[2J` leaves nothing, not `[2J`), and every C0 control but newline and tab, DEL and every
 * C1 control go. Newlines and tabs stay: manifests and messages are laid out with them, and a
 * terminal only moves the cursor forward for them.
 */
export function stripTerminalControls(text: string): string {
  return text.replace(TERMINAL_CONTROL, '');
}

/** A parsed JSON value with every string in it, object keys included, stripped. */
export function withoutTerminalControls(value: unknown): unknown {
  if (typeof value === 'string') return stripTerminalControls(value);
  if (Array.isArray(value)) return value.map(withoutTerminalControls);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        stripTerminalControls(key),
        withoutTerminalControls(inner),
      ]),
    );
  }
  return value;
}

/**
 * A body as safe to print: JSON is cleaned value by value (an escape written `\u001b` in JSON
 * is only a control once parsed), and left as it was when there was nothing to clean; any other
 * text (manifests, a proxy's error page) is stripped as text.
 */
function terminalSafeBody(text: string): string {
  const stripped = stripTerminalControls(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return stripped;
  }
  const cleaned = JSON.stringify(withoutTerminalControls(parsed));
  return cleaned === JSON.stringify(parsed) ? stripped : cleaned;
}

/**
 * A fetch whose answers say nothing a terminal would act on: the body (see
 * {@link stripTerminalControls}) and the status text. Headers are left as they are: the CLI
 * prints none.
 */
export function terminalSafeFetch(
  send: (request: Request) => Promise<Response>,
): (request: Request) => Promise<Response> {
  return async function terminalSafe(request: Request): Promise<Response> {
    const response = await send(request);
    const text = await response.text();
    const headers = new Headers(response.headers);
    // The body is already decoded, and may now be shorter.
    headers.delete('content-length');
    headers.delete('content-encoding');
    return new Response(text === '' ? null : terminalSafeBody(text), {
      status: response.status,
      statusText: stripTerminalControls(response.statusText),
      headers,
    });
  };
}
