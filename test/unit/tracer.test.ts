// When the functions trace: functions/commons/powertools/tracer.ts decides before loading the
// Tracer (so a function that does not trace never loads the X-Ray SDK), by the Tracer's own
// rules; this holds that decision to the Powertools Tracer's answer for the same environment.
import { Tracer } from '@aws-lambda-powertools/tracer';
import { afterEach, describe, expect, it } from 'vitest';
import { tracingEnabled } from '../../functions/commons/powertools/tracer.ts';

const VARIABLES = ['AWS_EXECUTION_ENV', 'AWS_SAM_LOCAL', 'POWERTOOLS_TRACE_ENABLED'] as const;

const ENVIRONMENTS: ReadonlyArray<Partial<Record<(typeof VARIABLES)[number], string>>> = [
  {},
  { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' },
  { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', POWERTOOLS_TRACE_ENABLED: 'false' },
  { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', POWERTOOLS_TRACE_ENABLED: 'FALSE' },
  { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', POWERTOOLS_TRACE_ENABLED: 'true' },
  { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', POWERTOOLS_TRACE_ENABLED: '' },
  { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', AWS_SAM_LOCAL: 'true' },
  { AWS_EXECUTION_ENV: 'AWS_Lambda_amplify-mock' },
  { POWERTOOLS_TRACE_ENABLED: 'true' },
];

const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));

afterEach(() => {
  for (const name of VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe('whether a function traces', () => {
  it.for(ENVIRONMENTS.map((environment) => [JSON.stringify(environment), environment] as const))(
    'answers as the Powertools Tracer does in %s',
    ([, environment]) => {
      // Prepare: exactly these variables, as the Tracer reads them at construction
      for (const name of VARIABLES) delete process.env[name];
      Object.assign(process.env, environment);

      // Act
      const ours = tracingEnabled(process.env);
      const powertools = new Tracer({ serviceName: 'efs-volumes' }).isTracingEnabled();

      // Assess
      expect(ours).toBe(powertools);
    },
  );

  it('traces in Lambda and nowhere else by default', () => {
    expect(tracingEnabled({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' })).toBe(true);
    expect(tracingEnabled({})).toBe(false);
  });
});
