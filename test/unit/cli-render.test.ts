import { describe, expect, it } from 'vitest';
import { runCli } from '../../cli/main.ts';
import {
  formatDuration,
  renderCosts,
  renderPlan,
  renderStepEnded,
  renderVolume,
  renderVolumeTable,
} from '../../cli/render.ts';
import { styleFor } from '../../cli/terminal.ts';
import { StepTracker } from '../../cli/volume-progress.ts';
import type { Volume, VolumePlan } from '../../client/index.ts';
import { PRICE_TABLE, volumeCost } from '../../functions/lib/pricing/prices.ts';
import { memoryIo } from '../support/cli-io.ts';

const ESCAPE = '\u001b[';

function volumeWith(status: string, steps: Volume['steps'] = {}): Volume {
  return {
    id: 'vol-0123456789abcdef0123',
    status: status as Volume['status'],
    clusterName: 'demo',
    namespace: 'team-a',
    name: 'data',
    createdAt: '2026-11-25T12:00:00.000Z',
    updatedAt: '2026-11-25T12:00:00.000Z',
    spec: {} as Volume['spec'],
    steps,
    resources: {},
  };
}

const step = (startedAt: string, endedAt?: string, status = endedAt ? 'SUCCEEDED' : 'RUNNING') => ({
  status: status as 'RUNNING',
  startedAt: `2026-11-25T12:00:${startedAt}Z`,
  ...(endedAt ? { endedAt: `2026-11-25T12:00:${endedAt}Z` } : {}),
});

describe('efs-volumes display', () => {
  it('uses colours at a terminal, and none when piped or with NO_COLOR', () => {
    // Prepare
    const volumes = [volumeWith('READY'), volumeWith('FAILED')];
    const styles = [
      styleFor(memoryIo({ tty: true }), 'human'),
      styleFor(memoryIo({ tty: false }), 'human'),
      styleFor(memoryIo({ tty: true, env: { NO_COLOR: '1' } }), 'human'),
      styleFor(memoryIo({ tty: true, env: { TERM: 'dumb' } }), 'human'),
    ];

    // Act
    const tables = styles.map((style) => renderVolumeTable(style, volumes));

    // Assess
    expect(tables.map((table) => table.includes(ESCAPE))).toEqual([true, false, false, false]);
    expect(tables[0]).toContain(`${ESCAPE}32mREADY${ESCAPE}0m`);
    expect(tables[1]).toBe(
      'ID                        STATUS  CLUSTER  NAMESPACE  NAME  HEALTH  CREATED\n' +
        'vol-0123456789abcdef0123  READY   demo     team-a     data  -       2026-11-25T12:00:00.000Z\n' +
        'vol-0123456789abcdef0123  FAILED  demo     team-a     data  -       2026-11-25T12:00:00.000Z\n',
    );
  });

  it('writes a failed step with its duration and error, in plain words when piped', () => {
    // Prepare
    const plain = styleFor(memoryIo(), 'human');
    const failed = {
      ...step('01.000', '02.250', 'FAILED'),
      error: { name: 'KubernetesError', message: 'forbidden' },
    };

    // Act
    const line = renderStepEnded(plain, 'ApplyManifests', failed as Volume['steps'][string]);

    // Assess
    expect(line).toBe('  failed   ApplyManifests             1.3 s  KubernetesError: forbidden');
  });

  it('formats durations as a person reads them', () => {
    // Act
    const texts = [42, 1_250, 59_940, 125_000].map(formatDuration);

    // Assess
    expect(texts).toEqual(['42 ms', '1.3 s', '59.9 s', '2 min 05 s']);
  });
});

describe('StepTracker', () => {
  it('reports each step once as it starts and once as it ends, in the order they started', () => {
    // Prepare
    const tracker = new StepTracker();

    // Act
    const first = tracker.update(
      volumeWith('PROVISIONING', {
        CreateFileSystem: step('02.000'),
        ResolveCluster: step('01.000', '01.500'),
      }),
    );
    const second = tracker.update(
      volumeWith('PROVISIONING', {
        CreateFileSystem: step('02.000', '03.000'),
        ResolveCluster: step('01.000', '01.500'),
      }),
    );
    const third = tracker.update(
      volumeWith('READY', {
        CreateFileSystem: step('02.000', '03.000'),
        ResolveCluster: step('01.000', '01.500'),
      }),
    );

    // Assess
    const named = (events: { kind: string; name: string }[]) =>
      events.map((e) => `${e.kind} ${e.name}`);
    expect(named(first)).toEqual([
      'started ResolveCluster',
      'ended ResolveCluster',
      'started CreateFileSystem',
    ]);
    expect(named(second)).toEqual(['ended CreateFileSystem']);
    expect(third).toEqual([]);
  });

  it('shows a step that runs again (DELETE reruns ResolveCluster) but not the runs before it', () => {
    // Prepare: the record as DELETE answered it, create's steps all done
    const baseline = volumeWith('DELETING', {
      ResolveCluster: step('01.000', '01.500'),
      CompleteProvisioning: step('05.000', '05.100'),
    });
    const tracker = new StepTracker(baseline);

    // Act
    const events = tracker.update(
      volumeWith('DELETING', {
        ResolveCluster: step('30.000', '30.200'),
        CompleteProvisioning: step('05.000', '05.100'),
        DeleteManifests: step('30.300'),
      }),
    );

    // Assess
    expect(events.map((e) => `${e.kind} ${e.name}`)).toEqual([
      'started ResolveCluster',
      'ended ResolveCluster',
      'started DeleteManifests',
    ]);
  });
});

describe('efs-volumes create --wait', () => {
  it('shows the steps as they run and exits 1 with the failed step when provisioning fails', async () => {
    // Prepare: three polls, the last one FAILED after a rollback
    const records = [
      volumeWith('PROVISIONING', { ResolveCluster: step('01.000') }),
      volumeWith('ROLLING_BACK', {
        ResolveCluster: step('01.000', '01.200'),
        ApplyManifests: {
          ...step('02.000', '02.500', 'FAILED'),
          error: { name: 'KubernetesError', message: 'forbidden' },
        },
      }),
      {
        ...volumeWith('FAILED', { ResolveCluster: step('01.000', '01.200') }),
        error: { step: 'ApplyManifests', name: 'KubernetesError', message: 'forbidden' },
      },
    ];
    const io = memoryIo({
      answer: (request) =>
        request.method === 'POST'
          ? Response.json(volumeWith('PENDING'), { status: 202 })
          : Response.json(records.length > 1 ? records.shift() : records[0]),
    });

    // Act
    const code = await runCli(
      ['create', '--cluster', 'demo', '--namespace', 'team-a', '--name', 'data', '--wait'],
      io,
    );

    // Assess
    expect(code).toBe(1);
    const out = io.out();
    expect(out).not.toContain(ESCAPE);
    expect(out).toContain('  started  ResolveCluster\n');
    expect(out).toContain('  done     ResolveCluster             200 ms\n');
    expect(out).toContain(
      '  failed   ApplyManifests             500 ms  KubernetesError: forbidden\n',
    );
    expect(io.err()).toContain('error: Provisioning failed, and was rolled back: nothing is left');
    expect(io.err()).toContain('step ApplyManifests failed: KubernetesError: forbidden');
  });
});

describe('efs-volumes create --wait, when the status lands before the last step ends', () => {
  it('waits for the last step to record its end, so every step shows its duration', async () => {
    // Prepare: READY is written by CompleteProvisioning before its own end is
    const records = [
      volumeWith('READY', {
        ResolveCluster: step('01.000', '01.200'),
        CompleteProvisioning: step('02.000'),
      }),
      volumeWith('READY', {
        ResolveCluster: step('01.000', '01.200'),
        CompleteProvisioning: step('02.000', '02.100'),
      }),
    ];
    const io = memoryIo({
      answer: (request) =>
        request.method === 'POST'
          ? Response.json(volumeWith('PENDING'), { status: 202 })
          : Response.json(records.length > 1 ? records.shift() : records[0]),
    });

    // Act
    const code = await runCli(
      ['create', '--cluster', 'demo', '--namespace', 'team-a', '--name', 'data', '--wait'],
      io,
    );

    // Assess
    expect(code).toBe(0);
    expect(io.out()).toContain('  done     CompleteProvisioning       100 ms\n');
  });
});

describe('efs-volumes plan', () => {
  const plan = {
    dryRun: true,
    spec: { clusterName: 'demo', namespace: 'team-c', name: 'data' } as VolumePlan['spec'],
    fileSystemSource: 'pool',
    poolFileSystemId: 'fs-0123456789abcdef0',
    aws: [],
    manifests: 'kind: PersistentVolumeClaim',
    warnings: ['no Fargate profile selects namespace team-c: its pods will not be scheduled'],
  } satisfies VolumePlan;

  it('says where the file system would come from, and every warning of the plan', () => {
    // Act
    const text = renderPlan({ json: false, fancy: false }, plan);

    // Assess
    expect(text).toContain('file system');
    expect(text).toContain('from the warm pool (fs-0123456789abcdef0)');
    expect(text).toContain(
      'warning no Fargate profile selects namespace team-c: its pods will not be scheduled',
    );
  });

  it('says what the volume costs to provision and a month, with the prices it used', () => {
    // Prepare
    const cost = volumeCost('pool', 'us-east-1');
    if (!cost) throw new Error('the price table has no us-east-1');

    // Act
    const text = renderPlan({ json: false, fancy: false }, { ...plan, cost });

    // Assess: 12 transitions at $0.000025, 9 requests, 0.2752 GB-s of arm64 Lambda
    expect(text).toContain(
      `cost           $0.00033 to provision; $0 a month empty, $0.30 per GB stored a month (us-east-1 prices of ${PRICE_TABLE.readOn})`,
    );
  });

  it("says what a restore adds: AWS Backup's charge per GB restored, and each look at the job", () => {
    // Prepare
    const cost = volumeCost('new', 'us-east-1', { restore: true });
    if (!cost) throw new Error('the price table has no us-east-1');

    // Act
    const text = renderPlan({ json: false, fancy: false }, { ...plan, cost });

    // Assess
    expect(text).toMatch(
      /cost {11}\$0\.\d+ to provision; \$0 a month empty, \$0\.30 per GB stored a month; restore \$0\.02 per GB restored, \$0\.0000\d+ per further look at the restore job \(us-east-1 prices of /,
    );
  });

  it('says that a Job will prove the mount before READY, and shows the Job', () => {
    // Prepare
    const mountCheck = {
      namespace: 'team-c',
      image: 'public.ecr.aws/docker/library/busybox:1.37.0',
      timeoutSeconds: 180,
      job: 'kind: Job\nmetadata:\n  name: efs-volumes-mount-check-vol-1\n',
    };

    // Act
    const text = renderPlan({ json: false, fancy: false }, { ...plan, mountCheck });

    // Assess
    expect(text).toContain(
      'mount check    a Job in team-c (public.ecr.aws/docker/library/busybox:1.37.0, at most 180 s) mounts the claim before READY',
    );
    expect(text).toContain(
      'Mount check Job\nkind: Job\nmetadata:\n  name: efs-volumes-mount-check-vol-1\n',
    );
  });
});

describe('efs-volumes costs', () => {
  it('prints a row per namespace and the total, and says what is unmetered', () => {
    // Prepare
    const rows = [
      {
        clusterName: 'demo',
        namespace: 'team-a',
        volumes: 2,
        meteredBytes: 3 * 1024 ** 3,
        monthlyUsd: 0.9,
        unmetered: 0,
      },
      {
        clusterName: 'demo',
        namespace: 'team-b',
        volumes: 1,
        meteredBytes: 0,
        monthlyUsd: 0,
        unmetered: 1,
      },
    ];

    // Act
    const text = renderCosts({ json: false, fancy: false }, rows);

    // Assess
    expect(text.split('\n').slice(0, 4)).toEqual([
      'NAMESPACE    VOLUMES  METERED  A MONTH  UNMETERED',
      'demo/team-a  2        3.0 GiB  $0.90    0',
      'demo/team-b  1        0 B      $0       1',
      'total        3        3.0 GiB  $0.90    1',
    ]);
    expect(text).toContain('UNMETERED: volumes on a shared file system');
    expect(renderCosts({ json: false, fancy: false }, [])).toBe('No volumes.\n');
  });

  it('shows a volume its metered size and a month of it', () => {
    // Prepare
    const volume = {
      id: 'vol-0123456789abcdef0123',
      status: 'READY',
      clusterName: 'demo',
      namespace: 'team-a',
      name: 'data',
      createdAt: '2026-12-07T00:00:00.000Z',
      updatedAt: '2026-12-07T00:00:00.000Z',
      spec: {} as Volume['spec'],
      steps: {},
      resources: {},
      size: { meteredBytes: 6144, measuredAt: '2026-12-07T01:00:00.000Z', monthlyUsd: 0.0000017 },
    } satisfies Volume;

    // Act
    const text = renderVolume({ json: false, fancy: false }, volume);

    // Assess
    expect(text).toContain('6.0 KiB metered at 2026-12-07T01:00:00.000Z, $0.0000017 a month');
  });
});
