import { describe, expect, it } from 'vitest';
import { runCli } from '../../cli/main.ts';
import { stripTerminalControls } from '../../cli/server-text.ts';
import type { Volume } from '../../client/index.ts';
import { memoryIo } from '../support/cli-io.ts';

/** Every character a terminal may act on: C0 but newline and tab, DEL, C1. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** Text a hostile or broken server might send: clear screen, set the clipboard, retitle, CSI. */
const HOSTILE =
  '\u001b[2J\u001b[H\u001b]52;c;ZWNobyBwd25lZA==\u0007\u001b]0;title\u001b\\\u009b31m\u0007\r\u007f\u0000\u0085';

const ID = 'vol-0123456789abcdef0123';

function hostileVolume(): Volume {
  return {
    id: ID,
    status: 'FAILED',
    clusterName: 'demo',
    namespace: 'team-a',
    name: `data${HOSTILE}`,
    createdAt: '2026-11-25T12:00:00.000Z',
    updatedAt: '2026-11-25T12:00:01.000Z',
    spec: {} as Volume['spec'],
    steps: {
      [`CreateFileSystem${HOSTILE}`]: {
        status: 'FAILED',
        startedAt: '2026-11-25T12:00:00.000Z',
        endedAt: '2026-11-25T12:00:01.000Z',
        error: { name: 'AccessDenied', message: `no${HOSTILE} access` },
      },
    },
    resources: { fileSystemId: `fs-1${HOSTILE}` },
    error: { step: 'CreateFileSystem', name: 'AccessDenied', message: `no${HOSTILE} access` },
  } as Volume;
}

describe('stripTerminalControls', () => {
  it.each([
    ['a CSI sequence, whole', 'a\u001b[2Jb\u001b[38;5;196mc', 'abc'],
    ['an 8-bit CSI sequence, whole', 'a\u009b2Jb', 'ab'],
    ['an OSC string ended by BEL', 'a\u001b]52;c;cHduZWQ=\u0007b', 'ab'],
    ['an OSC string ended by ST', 'a\u001b]8;;https://x\u001b\\link\u001b]8;;\u001b\\b', 'alinkb'],
    ['a DCS string ended by the 8-bit ST', 'a\u0090q$\u009cb', 'ab'],
    ['only the introducer of an unterminated OSC string', 'a\u001b]0;title', 'a0;title'],
    ['only the introducer of an unterminated 8-bit APC string', 'a\u009ftitle', 'atitle'],
    ['a two-character escape', 'a\u001bcb\u001b(Bc', 'abc'],
    ['a lone ESC at the end', 'ab\u001b', 'ab'],
    ['C0 controls, carriage return and backspace included', 'a\u0000\u0007\r\bb', 'ab'],
    ['DEL and C1 controls', 'a\u007f\u0085\u009fb', 'ab'],
    [
      'nothing of newlines, tabs and text',
      'kind: PV\n\tname: é ✔ 卷\n',
      'kind: PV\n\tname: é ✔ 卷\n',
    ],
  ])('removes %s', (_what, text, expected) => {
    // Act
    const stripped = stripTerminalControls(text);

    // Assess
    expect(stripped).toBe(expected);
  });
});

describe('efs-volumes prints what the server says without terminal controls', () => {
  it.each([
    ['human', []],
    ['json', ['--output', 'json']],
  ])('in a volume, its step names included (%s)', async (_output, flags) => {
    // Prepare
    const io = memoryIo({ tty: true, answer: () => Response.json(hostileVolume()) });

    // Act
    const code = await runCli(['get', ID, ...flags], io);

    // Assess: the colours are the CLI's own (human at a terminal); nothing of the server's acts
    expect(code).toBe(0);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the CLI's own colour codes
    const printed = io.out().replace(/\u001b\[\d+m/g, '');
    expect(printed).not.toMatch(CONTROL);
    expect(printed).toContain('data');
    expect(printed).toContain('CreateFileSystem');
    expect(printed).toContain('no access');
    expect(printed).not.toContain('[2J');
  });

  it('in a refusal: its title, detail and fields', async () => {
    // Prepare
    const problem = {
      type: 'https://efs-volumes.dev/problems/invalid-request',
      title: `Invalid${HOSTILE} request`,
      status: 400,
      detail: `The request is not valid${HOSTILE}`,
      errors: [{ field: `name${HOSTILE}`, message: `must match${HOSTILE} pattern` }],
    };
    const io = memoryIo({ answer: () => Response.json(problem, { status: 400 }) });

    // Act
    const code = await runCli(['get', ID], io);

    // Assess
    expect(code).toBe(1);
    expect(io.err()).toBe(
      'error: Invalid request (HTTP 400)\n  The request is not valid\n  - name: must match pattern\n',
    );
  });

  it('in an answer that is not JSON, and in its status text', async () => {
    // Prepare
    const io = memoryIo({
      answer: () =>
        new Response(`<h1>Bad${HOSTILE} gateway</h1>`, {
          status: 502,
          statusText: 'Bad\u0085Gateway',
        }),
    });

    // Act
    const code = await runCli(['get', ID], io);

    // Assess
    expect(code).toBe(1);
    expect(io.err()).toBe('error: BadGateway (HTTP 502)\n  <h1>Bad gateway</h1>\n');
  });

  it('in manifests, keeping their newlines', async () => {
    // Prepare
    const manifests = `kind: PersistentVolume\nmetadata:\n  name: pv${HOSTILE}\n`;
    const io = memoryIo({
      answer: () => new Response(manifests, { headers: { 'Content-Type': 'application/yaml' } }),
    });

    // Act
    const code = await runCli(['manifests', ID], io);

    // Assess
    expect(code).toBe(0);
    expect(io.out()).toBe('kind: PersistentVolume\nmetadata:\n  name: pv\n');
  });

  it('in a list and its next token', async () => {
    // Prepare
    const io = memoryIo({
      answer: () => Response.json({ items: [hostileVolume()], nextToken: `next${HOSTILE}token` }),
    });

    // Act
    const code = await runCli(['list'], io);

    // Assess
    expect(code).toBe(0);
    expect(io.out()).not.toMatch(CONTROL);
    expect(io.out()).toContain('More: --next-token nexttoken (or --all)');
  });

  it('in an empty page that has a next token, which is not "No volumes."', async () => {
    // Prepare
    const io = memoryIo({ answer: () => Response.json({ items: [], nextToken: 'next' }) });

    // Act
    const code = await runCli(['list'], io);

    // Assess
    expect(code).toBe(0);
    expect(io.out()).not.toContain('No volumes.');
    expect(io.out()).toContain('None on this page.');
    expect(io.out()).toContain('More: --next-token next (or --all)');
  });
});
