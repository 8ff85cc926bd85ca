// The commands of `efs-volumes`. Each is a name, its flags and a `run` that calls the client
// and prints; adding one is one more defineCommand call.
import { randomUUID } from 'node:crypto';
import { type Command, InvalidArgumentError, Option } from 'commander';
import {
  createVolumesClient,
  isLoopback,
  type RecoveryPoint,
  type Volume,
  type VolumeRequest,
  type VolumesClient,
} from '../client/index.ts';
import { CLI_PROJECT_DIRECTORY, type ResolvedEndpoint, resolveEndpoint } from './endpoint.ts';
import {
  type NamespaceCost,
  renderCosts,
  renderFailure,
  renderHeadline,
  renderHealth,
  renderPlan,
  renderRecoveryPoints,
  renderVolume,
  renderVolumeTable,
} from './render.ts';
import {
  listVolumesFlags,
  type RequestFlag,
  requestFromFlags,
  volumeRequestFlags,
} from './request-flags.ts';
import { terminalSafeFetch } from './server-text.ts';
import { type CliIo, paint, type Style, styleFor } from './terminal.ts';
import { waitForVolume } from './volume-progress.ts';

/** The exit codes, for scripts. */
export const EXIT = {
  ok: 0,
  /** The API refused, the volume ended FAILED, ROLLBACK_FAILED or DELETE_FAILED, or `check` found it DRIFTED. */
  failed: 1,
  /** A flag or argument is wrong, or the endpoint is neither https:// nor loopback. */
  usage: 2,
  /** No endpoint, or nothing answers at it. */
  unreachable: 3,
  /** `--wait` ran out of time. */
  timedOut: 4,
} as const;

/** What every command's `run` gets: the client, how to print, and where it all goes. */
export interface CommandContext {
  readonly io: CliIo;
  readonly style: Style;
  readonly client: VolumesClient;
  readonly endpoint: ResolvedEndpoint;
  /** How often `--wait` polls: often on loopback, gently on API Gateway. */
  readonly pollMilliseconds: number;
  /** Prints `value` as JSON with `--output json`, else as `render` draws it. */
  print<T>(value: T, render: (style: Style, value: T) => string): void;
}

interface CommonOptions {
  readonly endpoint?: string;
  readonly output: 'human' | 'json';
  readonly sigv4?: boolean;
  readonly region?: string;
}

export interface CommandSpec {
  /** The command and its arguments, as commander reads them: `get <id>`. */
  readonly name: string;
  readonly description: string;
  readonly options?: readonly Option[];
  /** Returns the exit code; throws what runCli turns into a message and an exit code. */
  run(
    context: CommandContext,
    args: readonly string[],
    options: Readonly<Record<string, unknown>>,
  ): Promise<number>;
}

/** The endpoint in use is remembered so a failure to reach it can say which and why. */
export interface CommandState {
  endpoint?: ResolvedEndpoint;
  exitCode: number;
}

function commonOptions(): Option[] {
  return [
    new Option(
      '--endpoint <url>',
      "the API: https://, or http:// on loopback (default: EFS_VOLUMES_ENDPOINT, else local mode's .local/endpoints.json)",
    ),
    new Option('-o, --output <format>', 'human or json')
      .choices(['human', 'json'])
      .default('human'),
    new Option(
      '--sigv4',
      'sign requests with SigV4 even when the endpoint is not an execute-api host (a custom domain)',
    ),
    new Option(
      '--region <region>',
      "the region to sign for (default: the execute-api host's, else AWS_REGION)",
    ),
  ];
}

/** Adds one command to the program: its flags, the common ones, and its run. */
export function defineCommand(
  program: Command,
  io: CliIo,
  state: CommandState,
  spec: CommandSpec,
): Command {
  const command = program.command(spec.name).description(spec.description);
  for (const option of [...(spec.options ?? []), ...commonOptions()]) command.addOption(option);
  command.action(async (...parameters: unknown[]) => {
    const self = parameters[parameters.length - 1] as Command;
    const options = self.opts<CommonOptions & Record<string, unknown>>();
    const style = styleFor(io, options.output);
    const endpoint = await resolveEndpoint(options.endpoint, io.env, {
      cwd: io.cwd,
      projectDirectory: io.projectDirectory ?? CLI_PROJECT_DIRECTORY,
      warn: (message) => io.stderr.write(`warning: ${message}\n`),
    });
    state.endpoint = endpoint;
    const client = createVolumesClient({
      endpoint: endpoint.url,
      signing: options.sigv4 ? 'sigv4' : 'auto',
      ...(options.region ? { region: options.region } : {}),
      // Everything the server says comes through here, cleaned once for the terminal.
      fetch: terminalSafeFetch(io.fetch ?? ((request) => globalThis.fetch(request))),
    });
    const context: CommandContext = {
      io,
      style,
      client,
      endpoint,
      pollMilliseconds: isLoopback(new URL(client.endpoint)) ? 200 : 2000,
      print(value, render) {
        io.stdout.write(style.json ? `${JSON.stringify(value, null, 2)}\n` : render(style, value));
      },
    };
    state.exitCode = await spec.run(context, self.args, options);
  });
  return command;
}

const waitOptions = (what: string) => [
  new Option('--wait', `show each workflow step as it runs, until the volume is ${what}`),
  new Option('--timeout <seconds>', 'how long --wait waits').default(1800).argParser((text) => {
    const seconds = Number(text);
    if (!Number.isInteger(seconds) || seconds <= 0)
      throw new InvalidArgumentError('Not a positive whole number of seconds.');
    return seconds;
  }),
];

/** `--idempotency-key`, for a command that creates. */
function idempotencyKeyOption(): Option {
  return new Option(
    '--idempotency-key <key>',
    'retry a request with its key (default: a new one, printed)',
  );
}

/**
 * The request's Idempotency-Key (`--idempotency-key`, else a new one), printed before anything
 * can fail: the key is what makes a retry safe (on stderr with `--output json`).
 */
function announcedIdempotencyKey(
  { io, style }: CommandContext,
  options: Record<string, unknown>,
): string {
  const idempotencyKey = (options.idempotencyKey as string | undefined) ?? randomUUID();
  const keyLine = `Idempotency-Key: ${idempotencyKey}\n`;
  (style.json ? io.stderr : io.stdout).write(style.json ? keyLine : paint(style, 'dim', keyLine));
  return idempotencyKey;
}

/** Prints how a volume ended after `--wait`, and the exit code that goes with it. */
/**
 * After a command that started a workflow: without `--wait`, the volume and how to follow it
 * (undefined); with it, the volume's steps as they run, and the volume once its status is one
 * of `wait.until`.
 */
async function followVolume(
  context: CommandContext,
  volume: Volume,
  options: Record<string, unknown>,
  wait: { readonly until?: ReadonlySet<string>; readonly fromVolume?: boolean } = {},
): Promise<Volume | undefined> {
  const { io, style, client } = context;
  if (!options.wait) {
    context.print(
      volume,
      (s, v) => `${renderHeadline(s, v)}\nFollow it: efs-volumes get ${v.id}\n`,
    );
    return undefined;
  }
  if (!style.json) io.stdout.write(`${renderHeadline(style, volume)}\n`);
  return waitForVolume(client, volume.id, {
    io,
    style,
    ...(wait.fromVolume ? { baseline: volume } : {}),
    ...(wait.until ? { until: wait.until } : {}),
    timeoutSeconds: options.timeout as number,
    pollMilliseconds: context.pollMilliseconds,
  });
}

function settled(context: CommandContext, volume: Volume, goal: string, since: number): number {
  const { io, style } = context;
  if (volume.status === goal) {
    // What deletion kept on purpose (a retained or shared file system) must not go unsaid.
    const kept = volume.retained?.map((resource) => `${resource.type} ${resource.id}`).join(', ');
    context.print(
      volume,
      (s, v) =>
        `${renderHeadline(s, v)} ${paint(s, 'dim', `in ${((Date.now() - since) / 1000).toFixed(1)} s`)}\n${
          kept ? `  kept on purpose: ${kept}\n` : ''
        }`,
    );
    return EXIT.ok;
  }
  if (style.json) {
    context.print(volume, () => '');
  } else {
    const title =
      volume.status === 'ROLLBACK_FAILED'
        ? 'Provisioning failed, and rollback left resources behind'
        : volume.status === 'FAILED'
          ? 'Provisioning failed, and was rolled back: nothing is left'
          : volume.status === 'DELETE_FAILED'
            ? 'Deletion failed'
            : `Volume ended ${volume.status}`;
    io.stderr.write(
      `${renderHeadline(style, volume)}\n${paint(style, 'red', `error: ${title}`)}\n`,
    );
    const failure = renderFailure(style, volume);
    if (failure.length > 0) io.stderr.write(`${failure.join('\n')}\n`);
  }
  return EXIT.failed;
}

function requestOf(flags: readonly RequestFlag[], options: Readonly<Record<string, unknown>>) {
  return requestFromFlags(flags, options) as Omit<VolumeRequest, 'dryRun'>;
}

/** Every command of `efs-volumes`, on `program`. */
export function defineCommands(program: Command, io: CliIo, state: CommandState): void {
  const requestFlags = volumeRequestFlags();
  const listFlags = listVolumesFlags();

  defineCommand(program, io, state, {
    name: 'create',
    description: 'provision a volume (POST /volumes)',
    options: [
      ...requestFlags.map((flag) => flag.option),
      idempotencyKeyOption(),
      ...waitOptions('READY'),
    ],
    async run(context, _args, options) {
      const { client } = context;
      const idempotencyKey = announcedIdempotencyKey(context, options);
      const since = Date.now();
      const { volume } = await client.createVolume(requestOf(requestFlags, options), {
        idempotencyKey,
      });
      const last = await followVolume(context, volume, options);
      return last ? settled(context, last, 'READY', since) : EXIT.ok;
    },
  });

  defineCommand(program, io, state, {
    name: 'plan',
    description: 'dry run: what create would make, and its manifests; nothing is created',
    options: requestFlags.map((flag) => flag.option),
    async run(context, _args, options) {
      context.print(await context.client.planVolume(requestOf(requestFlags, options)), renderPlan);
      return EXIT.ok;
    },
  });

  defineCommand(program, io, state, {
    name: 'get <id>',
    description: "a volume's status, steps, resources and error",
    async run(context, [id]) {
      context.print(await context.client.getVolume(id ?? ''), renderVolume);
      return EXIT.ok;
    },
  });

  defineCommand(program, io, state, {
    name: 'list',
    description: 'volumes, newest first',
    options: [
      ...listFlags.map((flag) => flag.option),
      new Option('--all', 'every page, not only the first'),
    ],
    async run(context, _args, options) {
      const { client } = context;
      const query = requestFromFlags(listFlags, options);
      if (options.all) {
        const items: Volume[] = [];
        for await (const volume of client.allVolumes(query)) items.push(volume);
        context.print({ items }, (s, list) => renderVolumeTable(s, list.items));
        return EXIT.ok;
      }
      context.print(
        await client.listVolumes(query),
        // A page may be short, or empty, and still have a next token (GET /volumes bounds
        // its reads per page): an empty one is not "no volumes".
        (s, page) =>
          `${
            page.items.length === 0 && page.nextToken
              ? 'None on this page.\n'
              : renderVolumeTable(s, page.items)
          }${
            page.nextToken
              ? paint(s, 'dim', `More: --next-token ${page.nextToken} (or --all)\n`)
              : ''
          }`,
      );
      return EXIT.ok;
    },
  });

  defineCommand(program, io, state, {
    name: 'costs',
    description:
      "what the volumes cost a month, per namespace: their file systems' metered sizes, priced",
    options: listFlags.map((flag) => flag.option),
    async run(context, _args, options) {
      const rows = new Map<string, NamespaceCost>();
      for await (const volume of context.client.allVolumes(requestFromFlags(listFlags, options))) {
        const key = `${volume.clusterName}/${volume.namespace}`;
        const row = rows.get(key) ?? {
          clusterName: volume.clusterName,
          namespace: volume.namespace,
          volumes: 0,
          meteredBytes: 0,
          monthlyUsd: 0,
          unmetered: 0,
        };
        row.volumes += 1;
        if (volume.size) {
          row.meteredBytes += volume.size.meteredBytes;
          row.monthlyUsd += volume.size.monthlyUsd ?? 0;
        } else {
          row.unmetered += 1;
        }
        rows.set(key, row);
      }
      const namespaces = [...rows.values()].sort((a, b) =>
        `${a.clusterName}/${a.namespace}`.localeCompare(`${b.clusterName}/${b.namespace}`),
      );
      context.print({ namespaces }, (s, value) => renderCosts(s, value.namespaces));
      return EXIT.ok;
    },
  });

  defineCommand(program, io, state, {
    name: 'manifests <id>',
    description: 'the Kubernetes manifests of a volume (multi-document YAML), for GitOps',
    async run(context, [id = '']) {
      const manifests = await context.client.getVolumeManifests(id);
      context.print({ id, manifests }, (_, value) => value.manifests);
      return EXIT.ok;
    },
  });

  defineCommand(program, io, state, {
    name: 'recovery-points <id>',
    description:
      "AWS Backup's recovery points of a volume's file system, newest first (restore one with restore)",
    async run(context, [id = '']) {
      const items: RecoveryPoint[] = [];
      for await (const point of context.client.allRecoveryPoints(id)) items.push(point);
      context.print({ id, items }, (s, value) => renderRecoveryPoints(s, value.items));
      return EXIT.ok;
    },
  });

  defineCommand(program, io, state, {
    name: 'restore [id]',
    description:
      "a new volume whose file system is restored from a recovery point: of volume [id] (see recovery-points <id>), in its cluster and namespace unless given; or, without [id], of the volume whose file system it was taken of (EFS's automatic backup vault only), in the --cluster and --namespace given",
    options: [
      new Option(
        '--recovery-point <arn>',
        'the recovery point (see recovery-points <id>)',
      ).makeOptionMandatory(),
      new Option('--name <name>', "the new volume's claim name").makeOptionMandatory(),
      new Option(
        '--namespace <namespace>',
        "the new volume's namespace (default: the source's; required without [id])",
      ),
      new Option(
        '--cluster <name>',
        "the new volume's cluster (default: the source's; required without [id])",
      ),
      idempotencyKeyOption(),
      ...waitOptions('READY'),
    ],
    async run(context, [id], options) {
      const { client, io } = context;
      // Without a source volume there is nothing to take the cluster and namespace from.
      if (!id && (!options.cluster || !options.namespace)) {
        io.stderr.write(
          'error: restore without a volume id needs --cluster and --namespace (or give the id of the volume the recovery point was taken of)\n',
        );
        return EXIT.usage;
      }
      const idempotencyKey = announcedIdempotencyKey(context, options);
      const since = Date.now();
      const restore = {
        recoveryPointArn: String(options.recoveryPoint),
        name: String(options.name),
        ...(options.namespace ? { namespace: String(options.namespace) } : {}),
        ...(options.cluster ? { clusterName: String(options.cluster) } : {}),
      };
      const { volume } = id
        ? await client.restoreVolume(id, restore, { idempotencyKey })
        : await client.createVolume(
            {
              clusterName: String(options.cluster),
              namespace: String(options.namespace),
              name: restore.name,
              restoreFrom: { recoveryPointArn: restore.recoveryPointArn },
            },
            { idempotencyKey },
          );
      const last = await followVolume(context, volume, options);
      return last ? settled(context, last, 'READY', since) : EXIT.ok;
    },
  });

  defineCommand(program, io, state, {
    name: 'check <id>',
    description:
      'check a READY volume for drift now (POST /volumes/{id}/check); exits 1 when DRIFTED',
    async run(context, [id = '']) {
      const health = await context.client.checkVolume(id);
      context.print({ id, health }, renderHealth);
      return health.state === 'HEALTHY' ? EXIT.ok : EXIT.failed;
    },
  });

  defineCommand(program, io, state, {
    name: 'delete <id>',
    description: 'deprovision a volume (refused while a pod uses its claim, unless --force)',
    options: [
      new Option('--force', 'delete even while a pod uses the claim'),
      ...waitOptions('DELETED'),
    ],
    async run(context, [id = ''], options) {
      const { client } = context;
      const since = Date.now();
      const volume = await client.deleteVolume(id, { force: options.force === true });
      const last = await followVolume(context, volume, options, {
        fromVolume: true,
        until: new Set(['DELETED', 'DELETE_FAILED']),
      });
      return last ? settled(context, last, 'DELETED', since) : EXIT.ok;
    },
  });

  defineCommand(program, io, state, {
    name: 'repair <id>',
    description:
      'repair a drifted volume: re-create missing mount targets, PersistentVolume and claim (never a file system or access point)',
    options: [
      new Option(
        '--verify-mount',
        "end the repair by proving a pod mounts the claim (a Job in the volume's namespace)",
      ),
      ...waitOptions('READY'),
    ],
    async run(context, [id = ''], options) {
      const { io, style, client } = context;
      const since = Date.now();
      const volume = await client.repairVolume(id, { verifyMount: options.verifyMount === true });
      // The repair ends with the volume READY again; its `repair` says how it went.
      const last = await followVolume(context, volume, options, {
        fromVolume: true,
        until: new Set(['READY', 'DELETING', 'DELETED']),
      });
      if (!last) return EXIT.ok;
      if (last.status === 'READY' && last.repair?.status === 'SUCCEEDED') {
        return settled(context, last, 'READY', since);
      }
      if (style.json) {
        context.print(last, () => '');
      } else {
        const findings = last.health?.findings.map((finding) => `  ${finding.problem}`) ?? [];
        io.stderr.write(
          `${renderHeadline(style, last)}\n${paint(style, 'red', 'error: Repair failed')}\n${
            last.repair?.error ? `  ${last.repair.error.step}: ${last.repair.error.message}\n` : ''
          }${findings.length > 0 ? `${findings.join('\n')}\n` : ''}`,
        );
      }
      return EXIT.failed;
    },
  });
}
