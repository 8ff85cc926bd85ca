import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as errors from '../../functions/lib/errors.ts';
import { PROVISION_STEPS } from '../support/provision-steps.ts';

interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly ResultPath?: string;
  readonly Next?: string;
}

interface State {
  readonly Type: string;
  readonly Resource?: string;
  readonly Result?: unknown;
  readonly ResultPath?: string;
  readonly Next?: string;
  readonly Retry?: readonly Retrier[];
  readonly Catch?: readonly Retrier[];
}

interface StateMachine {
  readonly States: Readonly<Record<string, State>>;
}

const aslUrl = new URL('../../statemachine/provision.asl.json', import.meta.url);
const stepsUrl = new URL('../../functions/steps/', import.meta.url);
const provision = JSON.parse(readFileSync(aslUrl, 'utf8')) as StateMachine;

/** The `name` each error class of functions/lib/errors.ts gives its instances. */
function exportedErrorNames(): Set<string> {
  const names = new Set<string>();
  for (const exported of Object.values(errors)) {
    if (typeof exported !== 'function') continue;
    // Every constructor takes strings first; a number where one is expected does no harm here.
    const Cls = exported as new (...args: string[]) => unknown;
    const instance = new Cls('x', 'y');
    if (instance instanceof Error) names.add(instance.name);
  }
  return names;
}

/**
 * Where a failure of `step` goes: a ForeignExecutionError to its refusal, anything else to a
 * Pass state that names the step, and from there to the rollback.
 */
function failureRoute(definition: StateMachine, step: string) {
  const catches = definition.States[step]?.Catch ?? [];
  const refused = catches.find((rule) => rule.ErrorEquals.includes('ForeignExecutionError'));
  const caught = catches.find((rule) => rule.ErrorEquals.includes('States.ALL'));
  const named = definition.States[caught?.Next ?? ''];
  return {
    refusal: refused?.Next,
    firstCatch: catches[0]?.ErrorEquals,
    failureAt: caught?.ResultPath,
    namedBy: named && { type: named.Type, result: named.Result, at: named.ResultPath },
    next: named?.Next,
  };
}

function kebabCase(pascal: string): string {
  return pascal.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

function tasksOf(definition: StateMachine): [string, State][] {
  return Object.entries(definition.States).filter(([, state]) => state.Type === 'Task');
}

/**
 * Every ErrorEquals name that is neither States.*, Lambda.*, the Lambda runtime's
 * Sandbox.Timedout nor one of our error names.
 */
function unknownErrorNames(definition: StateMachine): string[] {
  const known = exportedErrorNames();
  return Object.entries(definition.States).flatMap(([stateName, state]) =>
    [...(state.Retry ?? []), ...(state.Catch ?? [])].flatMap((rule) =>
      rule.ErrorEquals.filter(
        (name) => !/^(States|Lambda|Sandbox)\./.test(name) && !known.has(name),
      ).map((name) => `${stateName}: ${name}`),
    ),
  );
}

/** Task states that would not retry a TransientError or would not roll back on any error. */
function errorHandlingGaps(definition: StateMachine): string[] {
  return tasksOf(definition).flatMap(([name, state]) => {
    const retried = (state.Retry ?? []).flatMap((rule) => rule.ErrorEquals);
    const caught = (state.Catch ?? []).flatMap((rule) => rule.ErrorEquals);
    return [
      ...((state.Retry ?? []).length === 0 ? [`${name}: no Retry`] : []),
      ...(retried.includes('TransientError') ? [] : [`${name}: TransientError not retried`]),
      ...((state.Catch ?? []).length === 0 ? [`${name}: no Catch`] : []),
      ...(caught.includes('States.ALL') ? [] : [`${name}: States.ALL not caught`]),
    ];
  });
}

/** Task Resources that are not `${<Name>FunctionArn}` or have no functions/steps/<kebab>.ts. */
function resourceProblems(definition: StateMachine): string[] {
  return tasksOf(definition).flatMap(([name, state]) => {
    const functionName = /^\$\{([A-Z][A-Za-z0-9]*)FunctionArn\}$/.exec(state.Resource ?? '')?.[1];
    if (!functionName) return [`${name}: ${state.Resource} is not a placeholder`];
    const file = `${kebabCase(functionName)}.ts`;
    return existsSync(new URL(file, stepsUrl)) ? [] : [`${name}: no functions/steps/${file}`];
  });
}

const miswired: StateMachine = {
  States: {
    Bare: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:bare' },
    Misnamed: {
      Type: 'Task',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an ASL definition substitution
      Resource: '${ProvisionEverythingFunctionArn}',
      Retry: [
        { ErrorEquals: ['TransientErrror', 'ThrottlingException', 'Lambda.ServiceException'] },
      ],
      Catch: [{ ErrorEquals: ['ClusterNotFoundError'] }],
    },
    Done: { Type: 'Succeed' },
  },
};

describe('statemachine/provision.asl.json', () => {
  it('has the Task states of provisioning and rollback', () => {
    // Act
    const names = tasksOf(provision).map(([name]) => name);

    // Assess: guards the checks below against passing on an empty list
    expect(names).toEqual(
      expect.arrayContaining(['ResolveCluster', 'BeginRollback', 'RecordRollbackFailure']),
    );
    expect(names.length).toBeGreaterThanOrEqual(10);
  });

  it('matches only States.*, Lambda.* or the names of errors from functions/lib/errors.ts', () => {
    // Act
    const unknown = unknownErrorNames(provision);

    // Assess
    expect(unknown).toEqual([]);
  });

  it('retries TransientError and catches States.ALL in every Task state', () => {
    // Act
    const gaps = errorHandlingGaps(provision);

    // Assess
    expect(gaps).toEqual([]);
  });

  it('gives every Task a <Name>FunctionArn placeholder with a handler in functions/steps', () => {
    // Act
    const problems = resourceProblems(provision);

    // Assess
    expect(problems).toEqual([]);
  });

  // The table behind the end-to-end rollbacks (test/integration/aws-model-workflow runs a
  // failure after each step through the bundles; provision-workflow two of them).
  it.each(PROVISION_STEPS)('routes a failure of %s to the rollback, naming the step', (step) => {
    // Act
    const route = failureRoute(provision, step);

    // Assess: refused first when it is another execution's, else named, then rolled back
    expect(route).toEqual({
      refusal: 'Refused',
      firstCatch: ['ForeignExecutionError'],
      failureAt: '$.failure',
      namedBy: { type: 'Pass', result: step, at: '$.failedStep' },
      next: 'BeginRollback',
    });
  });
});

describe('the state machine contract checks', () => {
  it('know the names of the exported error classes', () => {
    // Act
    const names = exportedErrorNames();

    // Assess
    expect([...names]).toEqual(
      expect.arrayContaining(['TransientError', 'FileSystemNotReadyError', 'ClusterNotFoundError']),
    );
    for (const name of names) expect(name).toMatch(/Error$/);
  });

  it('report a misspelt or foreign error name', () => {
    // Act and Assess
    expect(unknownErrorNames(miswired)).toEqual([
      'Misnamed: TransientErrror',
      'Misnamed: ThrottlingException',
    ]);
  });

  it('report a Task without Retry or Catch, or one that would not retry or roll back', () => {
    // Act and Assess
    expect(errorHandlingGaps(miswired)).toEqual([
      'Bare: no Retry',
      'Bare: TransientError not retried',
      'Bare: no Catch',
      'Bare: States.ALL not caught',
      'Misnamed: TransientError not retried',
      'Misnamed: States.ALL not caught',
    ]);
  });

  it('report a Resource that is not a placeholder or has no handler file', () => {
    // Act and Assess
    expect(resourceProblems(miswired)).toEqual([
      'Bare: arn:aws:lambda:us-east-1:123456789012:function:bare is not a placeholder',
      'Misnamed: no functions/steps/provision-everything.ts',
    ]);
  });

  it('turn a placeholder name into the kebab-case file name', () => {
    // Act and Assess
    expect(kebabCase('CheckMountTargetsDeleted')).toBe('check-mount-targets-deleted');
    expect(kebabCase('ResolveCluster')).toBe('resolve-cluster');
  });
});

describe("every workflow's retriers", () => {
  const TRANSIENT = [
    'TransientError',
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.TooManyRequestsException',
    // A Lambda timeout or an unhandled runtime failure: every step is idempotent, so retried.
    'Sandbox.Timedout',
    'Lambda.Unknown',
    'States.Timeout',
  ];
  /**
   * A transient failure: retried within about four minutes, each wait doubling from 2 s, capped
   * at 60 s, with full jitter so that volumes throttled together do not retry together; a
   * forward step tries 6 times, a cleanup step (rollback, deletion) 8.
   */
  const transientRetry = (maxAttempts: number) => ({
    ErrorEquals: TRANSIENT,
    IntervalSeconds: 2,
    MaxAttempts: maxAttempts,
    BackoffRate: 2,
    MaxDelaySeconds: 60,
    JitterStrategy: 'FULL',
  });
  /** A file system still `creating`: every 10 s growing to 15 s, for about two minutes. */
  const fileSystemNotReadyRetry = {
    ErrorEquals: ['FileSystemNotReadyError'],
    IntervalSeconds: 10,
    MaxAttempts: 10,
    BackoffRate: 1.5,
    MaxDelaySeconds: 15,
  };

  it.each(['provision', 'deprovision', 'repair'])(
    'back off exponentially with jitter and a cap (%s.asl.json)',
    (workflow) => {
      // Prepare
      const definition = JSON.parse(
        readFileSync(new URL(`../../statemachine/${workflow}.asl.json`, import.meta.url), 'utf8'),
      ) as StateMachine;

      // Act
      const retriers = tasksOf(definition).flatMap(([name, state]) =>
        (state.Retry ?? []).map((retrier) => ({ name, retrier })),
      );

      // Assess: each retrier is one of the two shapes, whole (no field missing or extra)
      expect(retriers.length).toBeGreaterThan(5);
      for (const { name, retrier } of retriers) {
        const expected = retrier.ErrorEquals.includes('FileSystemNotReadyError')
          ? [fileSystemNotReadyRetry]
          : [transientRetry(6), transientRetry(8)];
        expect(expected, `${workflow} ${name}: ${JSON.stringify(retrier)}`).toContainEqual(retrier);
      }
      // Every Task retries transient failures
      for (const [name, state] of tasksOf(definition)) {
        expect(
          (state.Retry ?? []).some((retrier) => retrier.ErrorEquals.includes('TransientError')),
          `${workflow} ${name} does not retry TransientError`,
        ).toBe(true);
      }
    },
  );
});
