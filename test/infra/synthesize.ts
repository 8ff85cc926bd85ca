import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONTEXT_KEY, parseServiceConfig, type ServiceConfig } from '../../infra/config.ts';
import { EfsVolumesStack } from '../../infra/efs-volumes-stack.ts';
import { projectContext } from '../../infra/project-context.ts';

/** A CloudFormation resource as the template holds it. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
  readonly DeletionPolicy?: string;
}

export interface SynthesizedStack {
  readonly stack: EfsVolumesStack;
  readonly config: ServiceConfig;
  readonly template: Template;
  readonly resources: Readonly<Record<string, TemplateResource>>;
  /** The cloud assembly directory (a fresh temporary one). */
  readonly outdir: string;
  readonly templatePath: string;
}

export interface SynthesizeOptions {
  /** Settings over cdk.json's `efs-volumes` context. */
  readonly config?: Record<string, unknown>;
  /** Attach cdk-nag's AwsSolutions pack; the report goes to validation-report.json. @default false */
  readonly nag?: boolean;
}

/** Clusters, a private endpoint, an access policy, request senders, an EFS key and a logs key: every optional part on. */
export const CONFIGURED = {
  clusters: [
    {
      name: 'prod',
      vpc: {
        vpcId: 'vpc-0123456789abcdef0',
        subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
      },
    },
    { name: 'dev' },
  ],
  accessPolicy: {
    rules: [
      {
        caller: 'arn:aws:iam::123456789012:role/team-a-*',
        cluster: 'prod',
        namespaces: ['team-a'],
      },
      { caller: 'events:123456789012:efs-volumes.requests', cluster: '*', namespaces: ['team-c'] },
    ],
  },
  requestSenders: ['210987654321', 'arn:aws:iam::123456789012:role/platform/request-sender'],
  efsKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/0f3c1d2e-1111-2222-3333-444455556666',
  logsKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/7a1b2c3d-4444-5555-6666-777788889999',
  logLevel: 'DEBUG',
  workflow: { mountTargetPollSeconds: 10, mountTargetDnsDelaySeconds: 120 },
  warmPool: { prod: 2 },
} as const;

/**
 * The clusters' VPCs the tests' stacks name when their configuration names none: cdk.json
 * ships no `vpcIds` (only an operator knows them, and infra/config.ts refuses a stack without).
 */
export const TEST_VPC_IDS = ['vpc-0123456789abcdef0'] as const;

const synthesized = new Map<string, SynthesizedStack>();

/**
 * Synthesizes the stack as `cdk synth` would (cdk.json's context and feature flags, with
 * {@link TEST_VPC_IDS} unless cdk.json or `options.config` names VPCs), into a fresh directory.
 * Once per configuration and test process: the infra and IAM projects run their files in one
 * module graph per worker (`isolate: false`), so files that read the same configuration share
 * one synthesis. Treat the result as read-only.
 */
export function synthesize(options: SynthesizeOptions = {}): SynthesizedStack {
  const key = JSON.stringify(options);
  let stack = synthesized.get(key);
  if (!stack) {
    stack = synthesizeNow(options);
    synthesized.set(key, stack);
  }
  return stack;
}

/**
 * Removes the synth folders earlier runs left in the temp folder (about 57 MB each, with every
 * bundle; a run's workers are gone before anything could remove theirs): those over two
 * hours old, so a run going on elsewhere keeps its own.
 */
function removeOldSynths(): void {
  const root = tmpdir();
  const before = Date.now() - 2 * 60 * 60 * 1000;
  for (const entry of readdirSync(root)) {
    if (!entry.startsWith('efs-volumes-cdk-')) continue;
    const path = join(root, entry);
    try {
      if (statSync(path).mtimeMs < before) rmSync(path, { recursive: true, force: true });
    } catch {
      // Removed meanwhile by another run.
    }
  }
}

let cleaned = false;

function synthesizeNow(options: SynthesizeOptions): SynthesizedStack {
  if (!cleaned) {
    cleaned = true;
    removeOldSynths();
  }
  const context = projectContext();
  const outdir = mkdtempSync(join(tmpdir(), 'efs-volumes-cdk-'));
  const app = new App({
    outdir,
    context: {
      ...context,
      [CONTEXT_KEY]: {
        vpcIds: TEST_VPC_IDS,
        ...(context[CONTEXT_KEY] as object),
        ...options.config,
      },
      // Report nag findings in validation-report.json instead of throwing, so tests can list them.
      ...(options.nag ? { '@aws-cdk/core:failSynthOnValidationErrors': false } : {}),
    },
  });
  const config = parseServiceConfig(app.node.tryGetContext(CONTEXT_KEY));
  const stack = new EfsVolumesStack(app, 'EfsVolumes', { config });
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const assembly = app.synth();
  const templatePath = assembly.getStackByName(stack.stackName).templateFullPath;
  const json = JSON.parse(readFileSync(templatePath, 'utf8')) as {
    Resources: Record<string, TemplateResource>;
  };
  return {
    stack,
    config,
    template: Template.fromJSON(json),
    resources: json.Resources,
    outdir,
    templatePath,
  };
}

/** The logical id of a construct's CloudFormation resource. */
export function logicalIdOf(
  stack: EfsVolumesStack,
  construct: { node: { defaultChild?: unknown } },
): string {
  const child = construct.node.defaultChild;
  if (!child) throw new Error('construct has no CloudFormation resource');
  return stack.getLogicalId(child as Parameters<EfsVolumesStack['getLogicalId']>[0]);
}

/** The resources of one type, by logical id. */
export function resourcesOfType(
  resources: Readonly<Record<string, TemplateResource>>,
  type: string,
): [string, TemplateResource][] {
  return Object.entries(resources).filter(([, resource]) => resource.Type === type);
}

/** An IAM policy statement as synthesized. */
export interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

export function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

export function resourcesOf(statement: Statement): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

/** A resource's properties, empty when it has none. */
export function propertiesOf(resource: TemplateResource): Record<string, unknown> {
  return resource.Properties ?? {};
}

/** The statements of an AWS::IAM::Policy resource. */
export function policyStatements(policy: TemplateResource): Statement[] {
  const document = policy.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined;
  return document?.Statement ?? [];
}

/** Every statement of the inline policies attached to a role (by the role's logical id). */
export function statementsOfRole(
  resources: Readonly<Record<string, TemplateResource>>,
  roleLogicalId: string,
): Statement[] {
  return resourcesOfType(resources, 'AWS::IAM::Policy')
    .filter(([, policy]) =>
      ((policy.Properties?.Roles as unknown[]) ?? []).some(
        (role) => JSON.stringify(role) === JSON.stringify({ Ref: roleLogicalId }),
      ),
    )
    .flatMap(([, policy]) => policyStatements(policy));
}

/** `{ "Fn::GetAtt": [id, "Arn"] }` → id; anything else → undefined. */
export function getAttTarget(value: unknown): string | undefined {
  const getAtt = (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
  return getAtt?.[0];
}

/** Renders an ARN built with Fn::Join over pseudo parameters the way cdk-nag shows it. */
export function renderArn(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(renderArn).join(join[0]);
  const ref = (value as { Ref?: string }).Ref;
  if (ref) return `<${ref}>`;
  const target = getAttTarget(value);
  // As cdk-nag renders it: `<Id.Attribute>` (a state machine's Name in its executions' ARN).
  const attribute = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt']?.[1] ?? 'Arn';
  if (target) return `<${target}.${attribute}>`;
  return JSON.stringify(value);
}
