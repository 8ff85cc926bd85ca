// How volumes, plans, lists and steps read in a terminal. Pure functions of data and Style.
import type {
  RecoveryPoint,
  StepRecord,
  Volume,
  VolumeHealth,
  VolumePlan,
} from '../client/index.ts';
import { paint, type Style } from './terminal.ts';

const GOOD = new Set(['READY', 'DELETED']);
const BAD = new Set(['FAILED', 'ROLLBACK_FAILED', 'DELETE_FAILED']);

/** A status, green when it is where a volume should end, red when it failed, yellow between. */
export function renderStatus(style: Style, status: string): string {
  return paint(style, GOOD.has(status) ? 'green' : BAD.has(status) ? 'red' : 'yellow', status);
}

/** A duration as a person reads it: `120 ms`, `1.4 s`, `2 min 05 s`. */
export function formatDuration(milliseconds: number): string {
  if (milliseconds < 1000) return `${Math.max(0, Math.round(milliseconds))} ms`;
  if (milliseconds < 60_000) return `${(milliseconds / 1000).toFixed(1)} s`;
  const seconds = Math.round(milliseconds / 1000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

/** How long a step took, or has been running at `now`. */
export function stepDuration(step: StepRecord, now = Date.now()): number {
  const end = step.endedAt ? Date.parse(step.endedAt) : now;
  return end - Date.parse(step.startedAt);
}

/** Steps in the order they started (the record keeps them by name, in no order). */
export function stepsInOrder(volume: Pick<Volume, 'steps'>): [string, StepRecord][] {
  return Object.entries(volume.steps).sort(
    ([, a], [, b]) => Date.parse(a.startedAt) - Date.parse(b.startedAt),
  );
}

const NAME_WIDTH = 26;

/** The line of a step that has ended: `✔ CreateFileSystem   0.6 s`, with its error if it failed. */
export function renderStepEnded(style: Style, name: string, step: StepRecord): string {
  const failed = step.status === 'FAILED';
  const duration = formatDuration(stepDuration(step));
  const error = step.error ? `  ${step.error.name}: ${step.error.message}` : '';
  if (style.fancy) {
    const mark = failed ? paint(style, 'red', '✘') : paint(style, 'green', '✔');
    return `  ${mark} ${name.padEnd(NAME_WIDTH)} ${paint(style, 'dim', duration)}${error && paint(style, 'red', error)}`;
  }
  return `  ${(failed ? 'failed' : 'done').padEnd(8)} ${name.padEnd(NAME_WIDTH)} ${duration}${error}`;
}

/** The line of a step that has started: plain output says so; a terminal animates it instead. */
export function renderStepStarted(style: Style, name: string): string {
  return style.fancy ? `  … ${name}` : `  ${'started'.padEnd(8)} ${name}`;
}

/** A terminal's live line for the running step: a spinner frame, its name, its time so far. */
export function renderStepRunning(
  style: Style,
  name: string,
  step: StepRecord,
  frame: number,
): string {
  const spinner = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏'[frame % 10] ?? '·';
  return `  ${paint(style, 'cyan', spinner)} ${name.padEnd(NAME_WIDTH)} ${paint(style, 'dim', formatDuration(stepDuration(step)))}`;
}

/** A volume's one-line headline: id, status, and whose claim it is. */
export function renderHeadline(style: Style, volume: Volume): string {
  return `${paint(style, 'bold', volume.id)}  ${renderStatus(style, volume.status)}  ${volume.clusterName}/${volume.namespace}/${volume.name}`;
}

function field(style: Style, label: string, value: string): string {
  return `  ${paint(style, 'dim', label.padEnd(15))}${value}`;
}

/** Everything a person wants of one volume: status, claim, resources, steps, error, leftovers. */
export function renderVolume(style: Style, volume: Volume): string {
  const { resources } = volume;
  const lines = [renderHeadline(style, volume)];
  lines.push(field(style, 'created', volume.createdAt), field(style, 'updated', volume.updatedAt));
  const claim = resources.persistentVolumeClaim;
  const found: [string, string | undefined][] = [
    [
      'file system',
      resources.fileSystemId &&
        `${resources.fileSystemId}${resources.fileSystemShared ? ' (shared)' : volume.fileSystemSource === 'pool' ? ' (from the warm pool)' : ''}`,
    ],
    ['access point', resources.accessPointId],
    ['security group', resources.securityGroupId],
    ['mount targets', resources.mountTargetIds?.join(', ')],
    ['volume', resources.persistentVolumeName],
    ['claim', claim && `${claim.namespace}/${claim.name}`],
    ['storage class', resources.storageClassName],
  ];
  for (const [label, value] of found) if (value) lines.push(field(style, label, value));
  const steps = stepsInOrder(volume);
  if (steps.length > 0) {
    lines.push(`  ${paint(style, 'dim', 'steps')}`);
    for (const [name, step] of steps) {
      lines.push(
        step.status === 'RUNNING'
          ? `  ${renderStepStarted(style, name)}`
          : `  ${renderStepEnded(style, name, step)}`,
      );
    }
  }
  if (volume.health) lines.push(...renderHealthLines(style, volume.health));
  if (volume.size) lines.push(field(style, 'size', sizeLine(volume.size)));
  lines.push(...renderFailure(style, volume));
  if (volume.retained?.length) {
    lines.push(
      field(style, 'retained', volume.retained.map((r) => `${r.type} ${r.id}`).join(', ')),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** A health state: green HEALTHY, red DRIFTED. */
function renderHealthState(style: Style, state: VolumeHealth['state']): string {
  return paint(style, state === 'HEALTHY' ? 'green' : 'red', state);
}

/** The health lines of a volume: the state and when it was checked, then each finding. */
function renderHealthLines(style: Style, health: VolumeHealth): string[] {
  const lines = [
    field(
      style,
      'health',
      `${renderHealthState(style, health.state)} ${paint(style, 'dim', `checked ${health.checkedAt}`)}`,
    ),
  ];
  for (const finding of health.findings) {
    const repair = finding.repairable ? 'repairable' : 'not repairable';
    lines.push(
      `    ${finding.resource} ${finding.id}: ${finding.problem} ${paint(style, 'dim', `(${repair})`)}`,
    );
  }
  return lines;
}

/** What `check` found: the volume's health and each finding, with whether repair can fix it. */
export function renderHealth(style: Style, checked: { id: string; health: VolumeHealth }): string {
  return `${[paint(style, 'bold', checked.id), ...renderHealthLines(style, checked.health)].join('\n')}\n`;
}

/** What went wrong, for a volume that failed: the step, the error, and what is left. */
export function renderFailure(style: Style, volume: Volume): string[] {
  const lines: string[] = [];
  if (volume.error) {
    lines.push(
      paint(
        style,
        'red',
        `  error         step ${volume.error.step} failed: ${volume.error.name}: ${volume.error.message}`,
      ),
    );
  }
  if (volume.rollbackError) {
    lines.push(
      paint(
        style,
        'red',
        `  rollback      step ${volume.rollbackError.step} failed: ${volume.rollbackError.name}: ${volume.rollbackError.message}`,
      ),
    );
  }
  if (volume.leftovers?.length) {
    lines.push(
      paint(
        style,
        'red',
        `  left behind   ${volume.leftovers.map((r) => `${r.type} ${r.id}`).join(', ')}`,
      ),
    );
  }
  return lines;
}

/**
 * Rows as aligned columns under a header; the last column is not padded. `paintCell` colours
 * a cell (of row `row`, from 0) after its padding, so escape codes do not throw the widths out.
 */
export function renderTable(
  style: Style,
  header: readonly string[],
  rows: readonly string[][],
  paintCell: (column: number, padded: string, cell: string, row: number) => string = (_, padded) =>
    padded,
): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const pad = (cell: string, column: number, last: boolean) =>
    last ? cell : cell.padEnd(widths[column] ?? 0);
  const title = header.map((cell, column) => pad(cell, column, column === header.length - 1));
  const body = rows.map((row, index) =>
    row
      .map((cell, column) =>
        paintCell(column, pad(cell, column, column === row.length - 1), cell, index),
      )
      .join('  '),
  );
  return `${[paint(style, 'bold', title.join('  ')), ...body].join('\n')}\n`;
}

/** The volumes of `list`, one row each, statuses coloured. */
export function renderVolumeTable(style: Style, volumes: readonly Volume[]): string {
  if (volumes.length === 0) return 'No volumes.\n';
  const rows = volumes.map((volume) => [
    volume.id,
    volume.status,
    volume.clusterName,
    volume.namespace,
    volume.name,
    volume.health?.state ?? '-',
    volume.createdAt,
  ]);
  const STATUS = 1;
  const HEALTH = 5;
  return renderTable(
    style,
    ['ID', 'STATUS', 'CLUSTER', 'NAMESPACE', 'NAME', 'HEALTH', 'CREATED'],
    rows,
    (column, padded, cell) =>
      column === STATUS
        ? padded.replace(cell, renderStatus(style, cell))
        : column === HEALTH && cell !== '-'
          ? padded.replace(cell, renderHealthState(style, cell as VolumeHealth['state']))
          : padded,
  );
}

/** A volume's recovery points, newest first: what `restore --recovery-point` takes. */
export function renderRecoveryPoints(style: Style, points: readonly RecoveryPoint[]): string {
  if (points.length === 0) return 'No recovery points.\n';
  return renderTable(
    style,
    ['CREATED', 'STATUS', 'SIZE', 'RECOVERY POINT'],
    points.map((point) => [
      point.createdAt,
      point.status,
      point.backupSizeBytes === undefined ? '-' : formatBytes(point.backupSizeBytes),
      point.recoveryPointArn,
    ]),
    (_, padded) => padded,
  );
}

/** A dry run: what would be created or reused in AWS, then the manifests. */
/** What the plan says of the file system, by where it would come from. */
const PLAN_SOURCES: Record<VolumePlan['fileSystemSource'], (plan: VolumePlan) => string> = {
  new: (plan) =>
    plan.spec.restoreFrom
      ? `new, restored by AWS Backup from ${plan.spec.restoreFrom.recoveryPointArn} (volume ${plan.spec.restoreFrom.volumeId}'s ${plan.spec.restoreFrom.fileSystemId})`
      : 'new (created for the volume)',
  pool: (plan) =>
    `from the warm pool (${plan.poolFileSystemId ?? 'a ready file system'}): only the access point and manifests are made`,
  shared: (plan) => `shared (${plan.spec.fileSystemId ?? ''})`,
};

/** Bytes in binary units, as EFS meters them. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** A volume's metered size, when EFS measured it, and a month of it. */
function sizeLine(size: NonNullable<Volume['size']>): string {
  const month = size.monthlyUsd === undefined ? '' : `, ${usd(size.monthlyUsd)} a month`;
  return `${formatBytes(size.meteredBytes)} metered at ${size.measuredAt}${month}`;
}

/** Dollars as a person reads them: cents for a month, fractions of a cent for a run. */
export function usd(value: number): string {
  if (value === 0) return '$0';
  return value >= 0.01 ? `$${value.toFixed(2)}` : `$${value.toPrecision(2)}`;
}

/** The plan's cost in one line: the run, and the month empty and per GB. */
function costLine(cost: NonNullable<VolumePlan['cost']>): string {
  const restore = cost.restore
    ? `; restore ${usd(cost.restore.perGbUsd)} per GB restored, ${usd(cost.restore.perRestoreJobLookUsd)} per further look at the restore job`
    : '';
  return `${usd(cost.provisioningUsd)} to provision; ${usd(cost.monthlyAtZeroBytesUsd)} a month empty, ${usd(cost.monthlyPerGbUsd)} per GB stored a month${restore} (${cost.region} prices of ${cost.pricesReadOn})`;
}

export function renderPlan(style: Style, plan: VolumePlan): string {
  const { spec } = plan;
  const typeWidth = Math.max(...plan.aws.map((resource) => resource.type.length));
  const lines = [
    `${paint(style, 'bold', 'Plan')} for ${spec.clusterName}/${spec.namespace}/${spec.name} (nothing was created)`,
    // A server older than fileSystemSource sends none.
    ...(plan.fileSystemSource in PLAN_SOURCES
      ? [field(style, 'file system', PLAN_SOURCES[plan.fileSystemSource](plan))]
      : []),
    ...(plan.cost ? [field(style, 'cost', costLine(plan.cost))] : []),
    ...(plan.mountCheck
      ? [
          field(
            style,
            'mount check',
            `a Job in ${plan.mountCheck.namespace} (${plan.mountCheck.image}, at most ${plan.mountCheck.timeoutSeconds} s) mounts the claim before READY`,
          ),
        ]
      : []),
    ...(plan.warnings ?? []).map((warning) => `${paint(style, 'yellow', 'warning')} ${warning}`),
    '',
    ...plan.aws.map((resource) => {
      const properties = Object.entries(resource.properties)
        .map(
          ([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`,
        )
        .join(' ');
      const action = paint(
        style,
        resource.action === 'create' ? 'green' : 'cyan',
        resource.action.padEnd(7),
      );
      return `  ${action} ${resource.type.padEnd(typeWidth)} ${paint(style, 'dim', properties)}`;
    }),
    '',
    paint(style, 'bold', 'Manifests'),
    plan.manifests.trimEnd(),
    ...(plan.mountCheck
      ? ['', paint(style, 'bold', 'Mount check Job'), plan.mountCheck.job.trimEnd()]
      : []),
  ];
  return `${lines.join('\n')}\n`;
}

/** One namespace's volumes and what their own file systems cost a month (`efs-volumes costs`). */
export interface NamespaceCost {
  readonly clusterName: string;
  readonly namespace: string;
  volumes: number;
  meteredBytes: number;
  monthlyUsd: number;
  /** Volumes with no metered size: on a shared file system, or not checked yet. */
  unmetered: number;
}

/** The costs table: a row per namespace, and the total. */
export function renderCosts(style: Style, rows: readonly NamespaceCost[]): string {
  if (rows.length === 0) return 'No volumes.\n';
  const total = rows.reduce(
    (sum, row) => ({
      volumes: sum.volumes + row.volumes,
      meteredBytes: sum.meteredBytes + row.meteredBytes,
      monthlyUsd: sum.monthlyUsd + row.monthlyUsd,
      unmetered: sum.unmetered + row.unmetered,
    }),
    { volumes: 0, meteredBytes: 0, monthlyUsd: 0, unmetered: 0 },
  );
  const table = renderTable(
    style,
    ['NAMESPACE', 'VOLUMES', 'METERED', 'A MONTH', 'UNMETERED'],
    [
      ...rows.map((row) => [
        `${row.clusterName}/${row.namespace}`,
        String(row.volumes),
        formatBytes(row.meteredBytes),
        usd(row.monthlyUsd),
        String(row.unmetered),
      ]),
      [
        'total',
        String(total.volumes),
        formatBytes(total.meteredBytes),
        usd(total.monthlyUsd),
        String(total.unmetered),
      ],
    ],
    // The total, bold as the header.
    (_, padded, __, row) => (row === rows.length ? paint(style, 'bold', padded) : padded),
  );
  const note =
    total.unmetered > 0
      ? paint(
          style,
          'dim',
          'UNMETERED: volumes on a shared file system (its size is not theirs), or not checked since they became READY.',
        )
      : '';
  return note ? `${table}${note}\n` : table;
}
