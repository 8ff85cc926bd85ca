import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { CfnPolicy } from 'aws-cdk-lib/aws-iam';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { acknowledgementsOf } from '../../infra/nag-acknowledgements.ts';
import { CONFIGURED, renderArn, type SynthesizedStack, synthesize } from './synthesize.ts';

/** The part of validation-report.json these tests read. */
interface ValidationReport {
  readonly pluginReports: readonly {
    readonly pluginName: string;
    readonly violations: readonly {
      readonly ruleName: string;
      readonly severity: string;
      readonly violatingConstructs: readonly { readonly constructPath: string }[];
    }[];
  }[];
}

function reportOf(outdir: string): ValidationReport {
  return JSON.parse(
    readFileSync(join(outdir, 'validation-report.json'), 'utf8'),
  ) as ValidationReport;
}

function awsSolutionsFindings(outdir: string, severity: string): string[] {
  return reportOf(outdir)
    .pluginReports.filter((plugin) => plugin.pluginName === 'AwsSolutions')
    .flatMap((plugin) => plugin.violations)
    .filter((violation) => violation.severity === severity)
    .flatMap((violation) =>
      violation.violatingConstructs.map(
        (construct) => `${violation.ruleName} at ${construct.constructPath}`,
      ),
    );
}

const CONFIGURATIONS = {
  'the default configuration': {},
  'every option on': CONFIGURED,
} as const;

let synthesized: Record<keyof typeof CONFIGURATIONS, SynthesizedStack>;

beforeAll(() => {
  synthesized = {
    'the default configuration': synthesize({ nag: true }),
    'every option on': synthesize({ nag: true, config: CONFIGURED }),
  };
});

describe('cdk-nag AwsSolutions', () => {
  it.each(Object.keys(CONFIGURATIONS) as (keyof typeof CONFIGURATIONS)[])(
    'finds no unacknowledged error with %s',
    (name) => {
      // Prepare
      const { outdir } = synthesized[name];

      // Act
      const errors = awsSolutionsFindings(outdir, 'error');

      // Assess
      expect(errors).toEqual([]);
    },
  );

  it('does report an error the stack would have (the check is not vacuous)', () => {
    // Prepare
    const outdir = mkdtempSync(join(tmpdir(), 'efs-volumes-nag-control-'));
    const app = new App({
      outdir,
      context: { '@aws-cdk/core:failSynthOnValidationErrors': false },
    });
    new Queue(new Stack(app, 'Control'), 'PlainQueue');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    // Act
    app.synth();

    // Assess
    expect(awsSolutionsFindings(outdir, 'error')).toEqual(
      expect.arrayContaining([expect.stringMatching(/^AwsSolutions-SQS4 at Control\/PlainQueue/)]),
    );
  });

  it.each(Object.keys(CONFIGURATIONS) as (keyof typeof CONFIGURATIONS)[])(
    'gives every acknowledgement a reason (%s)',
    (name) => {
      // Prepare
      const { stack } = synthesized[name];

      // Act
      const acknowledgements = acknowledgementsOf(stack);

      // Assess
      console.table(
        acknowledgements.map(({ path, id, reason }) => ({ path, id, reason: reason.slice(0, 80) })),
      );
      expect(acknowledgements.length).toBeGreaterThan(0);
      for (const { id, reason } of acknowledgements) {
        expect(id).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
        expect(reason.length).toBeGreaterThan(60);
      }
    },
  );

  it('acknowledges only IAM5 resources (patterns and "*") that a policy below the acknowledgement uses', () => {
    // Prepare
    const { stack } = synthesized['every option on'];
    const resourceAcknowledgements = acknowledgementsOf(stack).filter(({ id }) =>
      id.startsWith('AwsSolutions-IAM5[Resource::'),
    );

    // Act
    const unused = resourceAcknowledgements.filter(({ path, id }) => {
      const pattern = id.slice('AwsSolutions-IAM5[Resource::'.length, -1);
      const policies = stack.node
        .findAll()
        .filter(
          (construct) => construct instanceof CfnPolicy && construct.node.path.startsWith(path),
        );
      return !policies.some((policy) => {
        const document = stack.resolve((policy as CfnPolicy).policyDocument) as {
          Statement: { Resource: unknown }[];
        };
        return document.Statement.flatMap((statement) =>
          Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource],
        ).some((resource) => renderArn(resource) === pattern);
      });
    });

    // Assess
    expect(resourceAcknowledgements.length).toBeGreaterThan(0);
    expect(unused).toEqual([]);
  });
});
