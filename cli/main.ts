// `efs-volumes`: the command line of the efs-volumes API. bin/efs-volumes.js runs this file.
import { Command, CommanderError } from 'commander';
import {
  EndpointUnreachableError,
  InsecureEndpointError,
  isLoopback,
  ProblemError,
} from '../client/index.ts';
import packageJson from '../package.json' with { type: 'json' };
import { type CommandState, defineCommands, EXIT } from './commands.ts';
import { NoEndpointError, type ResolvedEndpoint } from './endpoint.ts';
import { type CliIo, paint, styleFor } from './terminal.ts';
import { WaitTimeoutError } from './volume-progress.ts';

/** Where the endpoint came from, as the user gave it: `--endpoint`, the variable or the file. */
function sourceOf(endpoint: ResolvedEndpoint): string {
  return endpoint.source === 'local mode'
    ? (endpoint.file ?? '.local/endpoints.json')
    : endpoint.source === 'flag'
      ? '--endpoint'
      : 'EFS_VOLUMES_ENDPOINT';
}

/** Why nothing answered, and what to do about it: local mode names how to start it. */
function unreachableMessage(error: EndpointUnreachableError, endpoint?: ResolvedEndpoint): string {
  const reason = error.code === 'ECONNREFUSED' ? 'connection refused' : error.reason;
  const from = endpoint ? ` (from ${sourceOf(endpoint)})` : '';
  const local = endpoint?.source === 'local mode' || isLoopback(new URL(error.endpoint));
  const hint = local
    ? 'Is local mode running? Start it with `npm start` in another terminal of the project, then try again.'
    : 'Check the URL (--endpoint, EFS_VOLUMES_ENDPOINT) and your network.';
  return `error: no answer from ${error.endpoint}${from}: ${reason}.\n${hint}\n`;
}

/** A refusal as a person reads it: title and status, the detail, each field that is wrong. */
function problemMessage(error: ProblemError): string {
  const lines = [`error: ${error.title} (HTTP ${error.status})`];
  if (error.detail) lines.push(`  ${error.detail}`);
  for (const field of error.errors) lines.push(`  - ${field.field}: ${field.message}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Runs `efs-volumes` with `argv` (the arguments after the command name) and returns its exit
 * code: 0 done, 1 refused or failed, 2 bad usage, 3 no endpoint answers, 4 `--wait` timed out.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const state: CommandState = { exitCode: EXIT.ok };
  const program = new Command('efs-volumes')
    .description('Persistent EFS volumes for EKS Fargate pods, from the command line.')
    .version(packageJson.version)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      '\nExit codes: 0 done, 1 refused by the API or the volume failed, 2 bad usage (an\n' +
        'endpoint that is neither https:// nor loopback included), 3 no endpoint answers,\n' +
        '4 --wait timed out.\n' +
        "Endpoint: --endpoint, else EFS_VOLUMES_ENDPOINT, else local mode: the project's\n" +
        '.local/endpoints.json, only with a loopback address. Plain http:// only to loopback,\n' +
        'and never signed.\n',
    );
  defineCommands(program, io, state);
  const json = argv.some(
    (arg, at) =>
      arg === '--output=json' || (['-o', '--output'].includes(arg) && argv[at + 1] === 'json'),
  );
  const style = styleFor(io, json ? 'json' : 'human');
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return state.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof ProblemError) {
      if (style.json) io.stdout.write(`${JSON.stringify(error, null, 2)}\n`);
      else io.stderr.write(paint(style, 'red', problemMessage(error)));
      return EXIT.failed;
    }
    if (error instanceof EndpointUnreachableError) {
      io.stderr.write(unreachableMessage(error, state.endpoint));
      return EXIT.unreachable;
    }
    if (error instanceof InsecureEndpointError) {
      const from = state.endpoint ? `  The endpoint came from ${sourceOf(state.endpoint)}.\n` : '';
      io.stderr.write(`error: ${error.message}\n${from}`);
      return EXIT.usage;
    }
    if (error instanceof NoEndpointError) {
      io.stderr.write(`error: ${error.message}\n`);
      return EXIT.unreachable;
    }
    if (error instanceof WaitTimeoutError) {
      if (style.json) io.stdout.write(`${JSON.stringify(error.volume, null, 2)}\n`);
      io.stderr.write(
        `error: ${error.message}; follow it with: efs-volumes get ${error.volume.id}\n`,
      );
      return EXIT.timedOut;
    }
    io.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  }
}

/** Runs `efs-volumes` in this process: its arguments, streams and exit code. */
export async function main(): Promise<void> {
  process.exitCode = await runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  });
}

// `node cli/main.ts …` works too; bin/efs-volumes.js imports this module and calls main().
if (import.meta.main) await main();
