import { readFileSync } from 'node:fs';
import * as dynamodb from '@aws-sdk/client-dynamodb';
import * as efs from '@aws-sdk/client-efs';
import * as eks from '@aws-sdk/client-eks';
import * as events from '@aws-sdk/client-eventbridge';
import * as sfn from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type AwsOperation,
  COMMON_ERROR_OUTCOMES,
  DECLARED_ERROR_OUTCOMES,
  EC2_CODE_OUTCOMES,
  FILE_SYSTEM_STATE_OUTCOMES,
  isRetried,
  type Outcome,
  RUNTIME_ERROR_OUTCOMES,
  STATUS_OUTCOMES,
} from '../../functions/lib/aws/aws-outcomes.ts';
import { CLUSTER_STATUS_OUTCOMES, describeCluster } from '../../functions/lib/aws/cluster.ts';
import {
  assertFileSystemAvailable,
  deleteOwnFileSystem,
  ensureFileSystem,
} from '../../functions/lib/aws/file-system.ts';
import {
  AWS_ERROR_STATUSES,
  AWS_OPERATION_ERRORS,
  AWS_STATUS_ENUMS,
} from '../../functions/lib/aws/oracle.generated.ts';
import { isTransientError } from '../../functions/lib/aws/transient.ts';
import * as errors from '../../functions/lib/errors.ts';
import { classifyStepError } from '../../functions/lib/workflow/run-step.ts';
import { buildOracle } from '../../scripts/aws-oracle-model.ts';
import { VOLUME_ID, volumeSpec } from './fixtures.ts';

const root = (relative: string) => new URL(`../../${relative}`, import.meta.url).pathname;

/** `a:Op Error` for every declared error of an oracle, to name what differs. */
function errorEntries(operations: Readonly<Record<string, Readonly<object>>>): string[] {
  return Object.entries(operations).flatMap(([operation, declared]) =>
    Object.keys(declared).map((name) => `${operation} ${name}`),
  );
}

function enumEntries(enums: Readonly<Record<string, readonly string[] | object>>): string[] {
  return Object.entries(enums).flatMap(([name, values]) =>
    (Array.isArray(values) ? values : Object.keys(values)).map((value) => `${name} ${value}`),
  );
}

/** The SDK packages' exception classes, by the IAM prefix of their service. */
const SDK_MODULES: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  dynamodb,
  elasticfilesystem: efs,
  eks,
  events,
  states: sfn,
};

type ExceptionClass = new (options: {
  message: string;
  $metadata: { httpStatusCode: number };
}) => Error;

/**
 * The error as the SDK throws it for `operation`: an instance of the service's own exception
 * class, with the HTTP status its fault implies (the deserializer sets it from the answer).
 */
function sdkError(operation: string, name: string, fault: 'client' | 'server'): Error {
  const prefix = operation.split(':')[0] ?? '';
  const Exception = SDK_MODULES[prefix]?.[name] as ExceptionClass | undefined;
  const $metadata = { httpStatusCode: fault === 'server' ? 500 : 400 };
  if (!Exception) throw new Error(`${prefix} exports no ${name}`);
  return new Exception({ message: `${name} happened`, $metadata });
}

/** Every declared error with its fault and the table's outcome. */
const declaredEntries = Object.entries(AWS_OPERATION_ERRORS).flatMap(([operation, declared]) =>
  Object.entries(declared).map(([name, fault]) => ({
    operation: operation as AwsOperation,
    name,
    fault: fault as 'client' | 'server',
    outcome: (DECLARED_ERROR_OUTCOMES[operation as AwsOperation] as Record<string, Outcome>)[
      name
    ] as Outcome,
  })),
);

describe('the AWS oracle', () => {
  const fresh = buildOracle(root('node_modules/@aws-sdk'), root('functions'));

  it('is what the SDK models in node_modules declare for the operations functions/ calls', () => {
    // Assess: what an SDK upgrade (or a new call) changed, by name; `node scripts/aws-oracle.ts`
    const checkedIn = errorEntries(AWS_OPERATION_ERRORS);
    const now = errorEntries(fresh.operations);
    expect({
      declaredNow: now.filter((entry) => !checkedIn.includes(entry)),
      noLongerDeclared: checkedIn.filter((entry) => !now.includes(entry)),
    }).toEqual({ declaredNow: [], noLongerDeclared: [] });
    const checkedInValues = enumEntries(AWS_STATUS_ENUMS);
    const values = enumEntries(fresh.enums);
    expect({
      declaredNow: values.filter((entry) => !checkedInValues.includes(entry)),
      noLongerDeclared: checkedInValues.filter((entry) => !values.includes(entry)),
    }).toEqual({ declaredNow: [], noLongerDeclared: [] });
    expect(fresh).toEqual({
      operations: AWS_OPERATION_ERRORS,
      enums: AWS_STATUS_ENUMS,
      statuses: AWS_ERROR_STATUSES,
    });
  });

  it('gives every error and every status value the SDK declares an outcome', () => {
    // Assess: with the oracle regenerated but the table not, tsc fails too; this names them
    expect(errorEntries(fresh.operations).sort()).toEqual(
      errorEntries(DECLARED_ERROR_OUTCOMES).sort(),
    );
    expect(enumEntries(fresh.enums).sort()).toEqual(enumEntries(STATUS_OUTCOMES).sort());
  });

  it('counts what it holds', () => {
    // Assess: the counts docs/testing.md quotes
    expect({
      operations: Object.keys(AWS_OPERATION_ERRORS).length,
      declaredErrors: declaredEntries.length,
      ec2Codes: errorEntries(EC2_CODE_OUTCOMES).length,
      statusValues: enumEntries(AWS_STATUS_ENUMS).length,
      runtimeErrors: Object.keys(RUNTIME_ERROR_OUTCOMES).length,
    }).toMatchInlineSnapshot(`
      {
        "declaredErrors": 151,
        "ec2Codes": 12,
        "operations": 37,
        "runtimeErrors": 7,
        "statusValues": 23,
      }
    `);
  });
});

describe('the outcome table', () => {
  it('retries a name for every operation or for none: an error does not name its operation', () => {
    // Prepare
    const retried = new Map<string, Set<boolean>>();
    const tables = [...Object.values(DECLARED_ERROR_OUTCOMES), ...Object.values(EC2_CODE_OUTCOMES)];
    for (const table of tables) {
      for (const [name, outcome] of Object.entries(table as Record<string, Outcome>)) {
        retried.set(name, (retried.get(name) ?? new Set()).add(isRetried(outcome)));
      }
    }

    // Assess
    expect([...retried].filter(([, kinds]) => kinds.size > 1).map(([name]) => name)).toEqual([]);
  });

  it('is what isTransientError answers for every declared error, as the SDK throws it', () => {
    // Act
    const wrong = declaredEntries
      .filter(({ operation, name, fault, outcome }) => {
        return isTransientError(sdkError(operation, name, fault)) !== isRetried(outcome);
      })
      .map(({ operation, name, outcome }) => `${operation} ${name}: ${JSON.stringify(outcome)}`);

    // Assess
    expect(wrong).toEqual([]);
  });

  it('is what isTransientError answers for every EC2 code and common error', () => {
    // Prepare: EC2's codes and Node's arrive as a name or a code on a plain error
    const named = [
      ...Object.values(EC2_CODE_OUTCOMES).flatMap((codes) => Object.entries(codes)),
      ...Object.entries(COMMON_ERROR_OUTCOMES),
    ] as Array<[string, Outcome]>;

    // Act
    const wrong = named.filter(
      ([name, outcome]) =>
        isTransientError(Object.assign(new Error(name), { name, $metadata: {} })) !==
        isRetried(outcome),
    );

    // Assess
    expect(wrong).toEqual([]);
  });

  it('leaves a step as TransientError on a transient entry, under AWS name on an AWS-terminal one', () => {
    // Act
    const wrong = declaredEntries.flatMap(({ operation, name, fault, outcome }) => {
      const classified = classifyStepError(sdkError(operation, name, fault));
      if (outcome === 'transient' && classified.name !== 'TransientError') return [name];
      if (typeof outcome === 'object' && outcome.terminal === 'AWS' && classified.name !== name)
        return [`${operation} ${name}`];
      return [];
    });

    // Assess
    expect(wrong).toEqual([]);
  });

  it('retries every runtime error on every Task that retries TransientError', () => {
    // Prepare
    const retried = Object.keys(RUNTIME_ERROR_OUTCOMES).filter((name) =>
      isRetried(RUNTIME_ERROR_OUTCOMES[name as keyof typeof RUNTIME_ERROR_OUTCOMES]),
    );

    // Act: every Retry list naming TransientError in the three state machines
    const lists = ['provision', 'deprovision', 'repair'].flatMap((machine) =>
      [
        ...readFileSync(root(`statemachine/${machine}.asl.json`), 'utf8').matchAll(
          /"ErrorEquals":\s*(\[[^\]]*"TransientError"[^\]]*\])/g,
        ),
      ].map(([, list = '[]']) => JSON.parse(list) as string[]),
    );

    // Assess
    expect(lists.length).toBeGreaterThan(20);
    for (const list of lists) expect(list).toEqual(['TransientError', ...retried]);
  });
});

describe('the code follows the outcome table', () => {
  const efsMock = mockClient(efs.EFSClient);
  const eksMock = mockClient(eks.EKSClient);
  const efsClient = new efs.EFSClient({ region: 'us-east-1' });
  const eksClient = new eks.EKSClient({ region: 'us-east-1' });
  const declared = (operation: AwsOperation, name: string) =>
    sdkError(operation, name, 'client') as Error & Record<string, unknown>;

  beforeEach(() => {
    efsMock.reset();
    eksMock.reset();
  });

  it('adopts the file system CreateFileSystem says exists (adopt)', async () => {
    // Prepare
    expect(
      DECLARED_ERROR_OUTCOMES['elasticfilesystem:CreateFileSystem'].FileSystemAlreadyExists,
    ).toBe('adopt');
    const exists = Object.assign(
      declared('elasticfilesystem:CreateFileSystem', 'FileSystemAlreadyExists'),
      { FileSystemId: 'fs-12345678' },
    );
    efsMock.on(efs.CreateFileSystemCommand).rejects(exists);

    // Act
    const result = await ensureFileSystem(efsClient, VOLUME_ID, volumeSpec(), [], undefined);

    // Assess
    expect(result).toEqual({ fileSystemId: 'fs-12345678', shared: false });
  });

  it('counts a file system DeleteFileSystem no longer finds as deleted (gone)', async () => {
    // Prepare
    expect(DECLARED_ERROR_OUTCOMES['elasticfilesystem:DeleteFileSystem'].FileSystemNotFound).toBe(
      'gone',
    );
    efsMock
      .on(efs.DescribeFileSystemsCommand)
      .resolves({ FileSystems: [{ FileSystemId: 'fs-12345678' } as efs.FileSystemDescription] });
    efsMock
      .on(efs.DeleteFileSystemCommand)
      .rejects(declared('elasticfilesystem:DeleteFileSystem', 'FileSystemNotFound'));

    // Act and Assess
    await expect(deleteOwnFileSystem(efsClient, VOLUME_ID)).resolves.toBe('fs-12345678');
  });

  it('retries a file system DeleteFileSystem finds in use (wait)', async () => {
    // Prepare
    expect(DECLARED_ERROR_OUTCOMES['elasticfilesystem:DeleteFileSystem'].FileSystemInUse).toBe(
      'wait',
    );
    efsMock
      .on(efs.DescribeFileSystemsCommand)
      .resolves({ FileSystems: [{ FileSystemId: 'fs-12345678' } as efs.FileSystemDescription] });
    efsMock
      .on(efs.DeleteFileSystemCommand)
      .rejects(declared('elasticfilesystem:DeleteFileSystem', 'FileSystemInUse'));

    // Act and Assess
    await expect(deleteOwnFileSystem(efsClient, VOLUME_ID)).rejects.toBeInstanceOf(
      errors.TransientError,
    );
  });

  it('ends on ClusterNotFoundError when DescribeCluster finds none (terminal)', async () => {
    // Prepare
    expect(DECLARED_ERROR_OUTCOMES['eks:DescribeCluster'].ResourceNotFoundException).toEqual({
      terminal: 'ClusterNotFoundError',
    });
    eksMock
      .on(eks.DescribeClusterCommand)
      .rejects(declared('eks:DescribeCluster', 'ResourceNotFoundException'));

    // Act and Assess
    await expect(describeCluster(eksClient, 'missing')).rejects.toBeInstanceOf(
      errors.ClusterNotFoundError,
    );
  });

  it.each(Object.entries(FILE_SYSTEM_STATE_OUTCOMES))(
    'reads a file system %s as the table says',
    async (state, outcome) => {
      // Prepare
      efsMock.on(efs.DescribeFileSystemsCommand).resolves({
        FileSystems: [
          { FileSystemId: 'fs-12345678', LifeCycleState: state } as efs.FileSystemDescription,
        ],
      });

      // Act
      const checked = assertFileSystemAvailable(efsClient, 'fs-12345678');

      // Assess
      if (outcome === 'ready') await expect(checked).resolves.toBeUndefined();
      else if (outcome === 'wait')
        await expect(checked).rejects.toThrow(errors.FileSystemNotReadyError);
      else if (typeof outcome === 'object')
        await expect(checked).rejects.toMatchObject({ name: outcome.terminal });
      else throw new Error(`no file system state is ${outcome}`);
    },
  );

  it('reads every cluster status as cluster.ts does', () => {
    // Prepare: cluster.ts keeps its own table (usable, wait, terminal)
    const asTable = { usable: 'ready', wait: 'wait', terminal: 'ClusterNotActiveError' };

    // Act
    const read = Object.fromEntries(
      Object.entries(STATUS_OUTCOMES['eks:ClusterStatus']).map(([status, outcome]) => [
        status,
        typeof outcome === 'object' ? outcome.terminal : outcome,
      ]),
    );

    // Assess
    expect(read).toEqual(
      Object.fromEntries(
        Object.entries(CLUSTER_STATUS_OUTCOMES).map(([status, kind]) => [status, asTable[kind]]),
      ),
    );
  });
});
