import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { MOUNT_CHECK_SETTINGS, WORKFLOW_SETTINGS } from '../../infra/config.ts';
import { FUNCTION_CATALOG } from '../../infra/function-catalog.ts';
import { PROJECT_ROOT } from '../../infra/service-function.ts';
import { placeholderOf } from '../../infra/step-registry.ts';
import { STEP_NAMES } from '../../infra/steps.ts';
import { EXPECTED_ACTIONS } from '../support/expected-actions.ts';
import {
  environmentOf,
  functionResource,
  functionSources,
  functionsOf,
  KUBERNETES_CALLERS,
} from '../support/stack-functions.ts';
import { configured, plain, synthesizeBeforeAll } from '../support/synthesized-stacks.ts';
import {
  CONFIGURED,
  logicalIdOf,
  propertiesOf,
  resourcesOfType,
  type SynthesizedStack,
} from './synthesize.ts';

// The stack's Lambda functions: runtime, log groups, environment, timeouts, VPC placement.

synthesizeBeforeAll('plain', 'configured');

describe('Lambda functions', () => {
  it('has one function per step, per API operation, for request events and two for the drift check', () => {
    // Prepare
    const expected = [
      ...STEP_NAMES,
      ...plain.stack.api.functions.keys(),
      'provision-requested',
      'check-volumes',
      'check-volume-batch',
      'settle-execution',
    ];

    // Act
    const names = [...functionsOf(plain).keys()];

    // Assess
    expect(names.sort()).toEqual(expected.sort());
    expect(Object.keys(EXPECTED_ACTIONS).sort()).toEqual(expected.sort());
    expect(resourcesOfType(plain.resources, 'AWS::Lambda::Function')).toHaveLength(names.length);
  });

  it('runs every function on nodejs24.x, arm64, without source maps parsed at init', () => {
    // Prepare
    const functions = resourcesOfType(plain.resources, 'AWS::Lambda::Function');

    // Act
    const settings = functions.map(([, fn]) => ({
      runtime: fn.Properties?.Runtime,
      architectures: fn.Properties?.Architectures,
      handler: fn.Properties?.Handler,
      nodeOptions: (propertiesOf(fn).Environment as { Variables: Record<string, string> }).Variables
        .NODE_OPTIONS,
    }));

    // Assess
    expect(new Set(settings.map((setting) => JSON.stringify(setting)))).toEqual(
      new Set([
        JSON.stringify({
          runtime: 'nodejs24.x',
          architectures: ['arm64'],
          handler: 'index.handler',
        }),
      ]),
    );
  });

  it('gives every function its own log group kept one month', () => {
    // Prepare
    const functions = resourcesOfType(plain.resources, 'AWS::Lambda::Function');

    // Act
    const logGroups = functions.map(([, fn]) => {
      const logGroupRef = (propertiesOf(fn).LoggingConfig as { LogGroup: { Ref: string } }).LogGroup
        .Ref;
      return plain.resources[logGroupRef];
    });

    // Assess
    expect(
      new Set(functions.map(([, fn]) => JSON.stringify(fn.Properties?.LoggingConfig))).size,
    ).toBe(functions.length);
    for (const logGroup of logGroups) {
      expect(logGroup?.Properties?.RetentionInDays).toBe(30);
    }
  });

  it('encrypts every log group of the stack with the configured logs key, and none without one', () => {
    // Prepare
    const keyIds = (synthesized: SynthesizedStack) =>
      resourcesOfType(synthesized.resources, 'AWS::Logs::LogGroup').map(
        ([, logGroup]) => logGroup.Properties?.KmsKeyId,
      );

    // Act
    const [withKey, withoutKey] = [keyIds(configured), keyIds(plain)];

    // Assess: the functions', the three state machines' and the API's access logs
    const functionCount = resourcesOfType(configured.resources, 'AWS::Lambda::Function').length;
    expect(withKey.length).toBe(functionCount + 3 + 1);
    expect(new Set(withKey)).toEqual(new Set([CONFIGURED.logsKmsKeyArn]));
    expect(withoutKey.every((keyId) => keyId === undefined)).toBe(true);
  });

  it('sets the Powertools environment, the table and the bus on every function', () => {
    // Prepare
    const tableId = logicalIdOf(plain.stack, plain.stack.records.table);

    // Act
    const environments = [...functionsOf(plain).keys()].map((name) => environmentOf(plain, name));

    // Assess
    for (const environment of environments) {
      expect(environment).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'efs-volumes',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        VOLUMES_TABLE: { Ref: tableId },
        EVENT_BUS_NAME: { Ref: expect.stringMatching(/^EventBus/) },
      });
      expect(environment).not.toHaveProperty('KUBE_ENDPOINT_OVERRIDES');
    }
  });

  it('gives the workflow steps the configured timing and EFS key, and nothing unconfigured', () => {
    // Prepare
    const step = 'check-mount-targets';

    // Act
    const [withSettings, withDefaults] = [
      environmentOf(configured, step),
      environmentOf(plain, step),
    ];

    // Assess
    expect(withSettings).toMatchObject({
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
      MOUNT_TARGET_POLL_SECONDS: '10',
      MOUNT_TARGET_DNS_DELAY_SECONDS: '120',
      EFS_KMS_KEY_ID: CONFIGURED.efsKmsKeyArn,
    });
    expect(withSettings).not.toHaveProperty('CLAIM_POLL_SECONDS');
    for (const variable of [...Object.values(WORKFLOW_SETTINGS), 'EFS_KMS_KEY_ID']) {
      expect(withDefaults).not.toHaveProperty(variable);
    }
  });

  it('gives the warm pool sizes to the create paths and the scheduled check, only when configured', () => {
    // Act
    const readers = ['createVolume', 'provision-requested', 'check-volumes'];
    const configuredPools = readers.map((entry) => environmentOf(configured, entry).WARM_POOL);
    const plainPools = readers.map((entry) => environmentOf(plain, entry).WARM_POOL);

    // Assess
    expect(configuredPools).toEqual(Array(3).fill(JSON.stringify(CONFIGURED.warmPool)));
    expect(plainPools).toEqual([undefined, undefined, undefined]);
    expect(environmentOf(configured, 'check-volumes').EFS_KMS_KEY_ID).toBe(CONFIGURED.efsKmsKeyArn);
  });

  it('leaves the local-mode endpoint override out of functions/: local mode injects it', () => {
    // Act
    const mentions = functionSources().filter((source) =>
      source.includes('KUBE_ENDPOINT_OVERRIDES'),
    );

    // Assess
    expect(mentions).toEqual([]);
  });

  it('names exactly the number settings functions/lib/config.ts reads: the workflow’s and the mount check’s', () => {
    // Prepare
    const source = readFileSync(`${PROJECT_ROOT}functions/lib/config.ts`, 'utf8');

    // Act
    const read = [...source.matchAll(/numberSetting\('([A-Z_]+)'/g)].map((match) => match[1]);

    // Assess
    expect(read.sort()).toEqual(
      [
        ...Object.values(WORKFLOW_SETTINGS),
        MOUNT_CHECK_SETTINGS.timeoutSeconds,
        MOUNT_CHECK_SETTINGS.pollSeconds,
      ].sort(),
    );
  });

  it('sets every environment variable functions/ reads, except the runtime ones', () => {
    // Prepare
    const read = new Set(
      functionSources().flatMap((source) =>
        [...source.matchAll(/process\.env\.([A-Z_]+)/g)].map((match) => match[1] ?? ''),
      ),
    );
    const notFromTheStack = new Set(['AWS_REGION']);

    // Act
    const set = new Set(
      [...functionsOf(configured).keys()].flatMap((name) =>
        Object.keys(environmentOf(configured, name)),
      ),
    );

    // Assess
    const missing = [...read].filter((name) => !set.has(name) && !notFromTheStack.has(name));
    expect(missing).toEqual([]);
  });

  it('gives the functions that start workflows the access policy, the root setting and both state machines', () => {
    // Prepare
    const [provisionId, deprovisionId] = [
      logicalIdOf(configured.stack, configured.stack.workflow.stateMachines.provision),
      logicalIdOf(configured.stack, configured.stack.workflow.stateMachines.deprovision),
    ];

    // Act
    const environments = ['createVolume', 'deleteVolume', 'provision-requested'].map((name) =>
      environmentOf(configured, name),
    );

    // Assess
    for (const environment of environments) {
      expect(environment).toMatchObject({
        ALLOW_ROOT_POSIX_USER: 'false',
        PROVISION_STATE_MACHINE_ARN: { Ref: provisionId },
        DEPROVISION_STATE_MACHINE_ARN: { Ref: deprovisionId },
      });
      expect(JSON.parse(String(environment.ACCESS_POLICY))).toEqual(CONFIGURED.accessPolicy);
    }
    expect(environmentOf(configured, 'provision-requested').REQUEST_EVENT_SOURCE).toBe(
      'efs-volumes.requests',
    );
  });

  it('gives the repair operation the repair state machine', () => {
    // Prepare
    const repairId = logicalIdOf(configured.stack, configured.stack.workflow.stateMachines.repair);

    // Act
    const environment = environmentOf(configured, 'repairVolume');

    // Assess
    expect(environment.REPAIR_STATE_MACHINE_ARN).toEqual({ Ref: repairId });
  });

  it('gives the read-only API functions the access policy and no workflow settings', () => {
    // Prepare
    const readers = ['getVolume', 'listVolumes', 'getVolumeManifests'];

    // Act
    const environments = readers.map((name) => environmentOf(configured, name));

    // Assess
    for (const environment of environments) {
      expect(JSON.parse(String(environment.ACCESS_POLICY))).toEqual(CONFIGURED.accessPolicy);
      expect(environment).not.toHaveProperty('PROVISION_STATE_MACHINE_ARN');
      expect(environment).not.toHaveProperty('ALLOW_ROOT_POSIX_USER');
    }
  });

  it('ends every workflow step before the TimeoutSeconds its Tasks allow, and every API function within 29 s', () => {
    // Prepare: each Task's TimeoutSeconds, by the step its Resource names
    const taskTimeouts = new Map<string, number[]>();
    for (const file of ['provision', 'deprovision', 'repair']) {
      const definition = JSON.parse(
        readFileSync(join(PROJECT_ROOT, 'statemachine', `${file}.asl.json`), 'utf8'),
      ) as { States: Record<string, { Resource?: string; TimeoutSeconds?: number }> };
      for (const state of Object.values(definition.States)) {
        const placeholder = /^\$\{(\w+)\}$/.exec(state.Resource ?? '')?.[1];
        if (!placeholder) continue;
        taskTimeouts.set(placeholder, [
          ...(taskTimeouts.get(placeholder) ?? []),
          state.TimeoutSeconds ?? Number.POSITIVE_INFINITY,
        ]);
      }
    }
    const operations = [...plain.stack.api.functions.keys()].map((id) =>
      functionResource(plain, id),
    );

    // Act
    const late = STEP_NAMES.flatMap((step) => {
      const timeout = Number(functionResource(plain, step).Properties?.Timeout);
      const tasks = taskTimeouts.get(placeholderOf(step)) ?? [];
      return tasks
        .filter((task) => timeout >= task)
        .map((task) => `${step}: ${timeout} s ≥ ${task} s`);
    });
    const apiTimeouts = operations.map((fn) => Number(fn.Properties?.Timeout));

    // Assess: the look-ahead of CheckMountTargets is the one step over the default 90 s
    expect(late).toEqual([]);
    expect(Number(functionResource(plain, 'check-mount-targets').Properties?.Timeout)).toBe(300);
    expect(Math.max(...apiTimeouts)).toBeLessThan(29);
  });

  it('deploys each function with the timeout of infra/function-catalog.ts, which local mode enforces', () => {
    // Prepare: the catalog by name, and the stack's functions
    const catalog = new Map(
      FUNCTION_CATALOG.map((fn) => [fn.name.toLowerCase(), fn.timeoutSeconds] as const),
    );
    const deployed = [...functionsOf(plain).keys()];

    // Act
    const timeouts = deployed.map((name) => ({
      name,
      deployed: Number(functionResource(plain, name).Properties?.Timeout),
      catalog: catalog.get(name.replaceAll('-', '').toLowerCase()),
    }));

    // Assess: one catalog entry per deployed function, with its timeout
    expect(timeouts.length).toBe(FUNCTION_CATALOG.length);
    for (const timeout of timeouts) {
      expect(timeout.catalog, `${timeout.name} is not in the catalog`).toBeDefined();
      expect(timeout.deployed, timeout.name).toBe(timeout.catalog);
    }
  });

  it('places the functions that call Kubernetes in the configured VPC, and only those', () => {
    // Prepare
    const names = [...functionsOf(configured).keys()];

    // Act
    const inVpc = names.filter((name) => functionResource(configured, name).Properties?.VpcConfig);

    // Assess
    expect(inVpc.sort()).toEqual([...KUBERNETES_CALLERS].sort());
    expect(functionResource(configured, 'apply-manifests').Properties?.VpcConfig).toEqual({
      SubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
      SecurityGroupIds: [
        { 'Fn::GetAtt': [expect.stringMatching(/^KubernetesSecurityGroup/), 'GroupId'] },
      ],
    });
    configured.template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      VpcId: 'vpc-0123456789abcdef0',
      SecurityGroupEgress: [Match.objectLike({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 })],
    });
    expect(resourcesOfType(plain.resources, 'AWS::EC2::SecurityGroup')).toHaveLength(0);
  });
});
