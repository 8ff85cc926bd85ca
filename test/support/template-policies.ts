// The IAM policies each Lambda of the synthesized stack runs with, with every intrinsic
// function resolved to a concrete string, so a policy evaluator can read them.
//
// Resolution scheme: a test account and region (123456789012, us-east-1, partition aws), and
// for the stack's resources the physical names local mode and the test suites give their
// counterparts, so ARNs recorded there match:
// - the volumes table → `*volumes-*` (local mode names it `efs-volumes-<t>`, the suites
//   `volumes-<hex>`, `volumes-api-<hex>`, `volumes-faults-<hex>`); a policy ARN with a wildcard
//   grants what the deployed table name would, whatever the run called it;
// - the event bus → `default` (local mode sets no EVENT_BUS_NAME, so functions put events on
//   the default bus, as the deployed ones put them on the stack's bus);
// - the state machines → `efs-volumes-<workflow>` (provision, deprovision, repair), as local/stack.ts;
// - the functions → the names local mode invokes them by (infra/function-catalog.ts);
// - the restore role (the one role AWS Backup assumes) → `efs-volumes-Restore`, as local mode
//   names it (local/credentials.ts LOCAL_RESTORE_ROLE_ARN);
// - anything else (log groups, queues, roles) → its logical id.
import { stepFunctionName, WORKFLOWS, type WorkflowName } from '../../infra/steps.ts';
import { REQUEST_EVENTS_FUNCTION } from '../../local/aws-calls/recorded-call.ts';
import { logicalIdOf, type SynthesizedStack, type TemplateResource } from '../infra/synthesize.ts';

/** The account, region and partition intrinsics resolve to. */
export const TEST_SITE = {
  accountId: '123456789012',
  region: 'us-east-1',
  partition: 'aws',
} as const;

/** The physical names the stack's resources resolve to (see the scheme above). */
export interface PhysicalNames {
  readonly tableName: string;
  readonly eventBusName: string;
  readonly stateMachines: Readonly<Record<WorkflowName, string>>;
  readonly restoreRoleName: string;
}

export const LOCAL_PHYSICAL_NAMES: PhysicalNames = {
  tableName: '*volumes-*',
  eventBusName: 'default',
  stateMachines: {
    provision: 'efs-volumes-provision',
    deprovision: 'efs-volumes-deprovision',
    repair: 'efs-volumes-repair',
  },
  restoreRoleName: 'efs-volumes-Restore',
};

/** An IAM policy document with its intrinsics resolved. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: ReadonlyArray<Record<string, unknown>>;
}

/** One Lambda of the stack: the name calls are recorded under, its role, and what it may do. */
export interface FunctionPolicies {
  /** `CreateMountTargets`, `createVolume`, `provisionRequested` (see RecordedAwsCall.function). */
  readonly function: string;
  readonly functionLogicalId: string;
  readonly roleArn: string;
  readonly policies: ReadonlyArray<{ readonly name: string; readonly policy: PolicyDocument }>;
}

/** Resolves CloudFormation intrinsics in a template under a naming scheme. */
class IntrinsicResolver {
  readonly #resources: Readonly<Record<string, TemplateResource>>;
  readonly #names: PhysicalNames;
  readonly #stateMachineNames: ReadonlyMap<string, string>;
  /** The stack's functions by logical id → the names local mode invokes them by. */
  readonly #functionNames: ReadonlyMap<string, string>;

  constructor(synthesized: SynthesizedStack, names: PhysicalNames) {
    this.#resources = synthesized.resources;
    this.#names = names;
    this.#functionNames = recordedNames(synthesized);
    const { stack } = synthesized;
    // Every workflow the stack builds, so none resolves to a logical id no call names.
    this.#stateMachineNames = new Map(
      WORKFLOWS.map((workflow) => [
        logicalIdOf(stack, stack.workflow.stateMachines[workflow]),
        names.stateMachines[workflow],
      ]),
    );
  }

  #arn(service: string, resource: string, options: { global?: boolean } = {}): string {
    const region = options.global ? '' : TEST_SITE.region;
    return `arn:${TEST_SITE.partition}:${service}:${region}:${TEST_SITE.accountId}:${resource}`;
  }

  #typeOf(logicalId: string): string {
    const resource = this.#resources[logicalId];
    if (!resource) throw new Error(`no resource ${logicalId} in the template`);
    return resource.Type;
  }

  /** What `Ref` gives for a pseudo parameter or a resource. */
  ref(name: string): string {
    const pseudo: Record<string, string> = {
      'AWS::AccountId': TEST_SITE.accountId,
      'AWS::Region': TEST_SITE.region,
      'AWS::Partition': TEST_SITE.partition,
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': 'EfsVolumes',
    };
    const value = pseudo[name];
    if (value !== undefined) return value;
    switch (this.#typeOf(name)) {
      case 'AWS::DynamoDB::Table':
        return this.#names.tableName;
      case 'AWS::Events::EventBus':
        return this.#names.eventBusName;
      case 'AWS::StepFunctions::StateMachine':
        return this.getAttArn(name);
      case 'AWS::SQS::Queue':
        return `https://sqs.${TEST_SITE.region}.amazonaws.com/${TEST_SITE.accountId}/${name}`;
      case 'AWS::Logs::LogGroup': {
        const given = this.#resources[name]?.Properties?.LogGroupName;
        return typeof given === 'string' ? given : name;
      }
      default:
        return name;
    }
  }

  /** Whether the role is one AWS Backup assumes: the stack's restore role. */
  #assumedByBackup(logicalId: string): boolean {
    const trust = JSON.stringify(
      this.#resources[logicalId]?.Properties?.AssumeRolePolicyDocument ?? {},
    );
    return trust.includes('backup.amazonaws.com');
  }

  /** What `Fn::GetAtt [id, Arn]` gives. */
  getAttArn(logicalId: string): string {
    switch (this.#typeOf(logicalId)) {
      case 'AWS::DynamoDB::Table':
        return this.#arn('dynamodb', `table/${this.ref(logicalId)}`);
      case 'AWS::Events::EventBus':
        return this.#arn('events', `event-bus/${this.ref(logicalId)}`);
      case 'AWS::StepFunctions::StateMachine':
        return this.#arn(
          'states',
          `stateMachine:${this.#stateMachineNames.get(logicalId) ?? logicalId}`,
        );
      case 'AWS::Lambda::Function':
        return this.#arn('lambda', `function:${this.#functionNames.get(logicalId) ?? logicalId}`);
      case 'AWS::Logs::LogGroup':
        return this.#arn('logs', `log-group:${this.ref(logicalId)}:*`);
      case 'AWS::SQS::Queue':
        return this.#arn('sqs', logicalId);
      case 'AWS::IAM::Role':
        return this.#arn(
          'iam',
          `role/${this.#assumedByBackup(logicalId) ? this.#names.restoreRoleName : logicalId}`,
          { global: true },
        );
      default:
        throw new Error(`no ARN scheme for ${logicalId} (${this.#typeOf(logicalId)})`);
    }
  }

  /** A template value with Ref, Fn::GetAtt, Fn::Join and Fn::Sub resolved, at any depth. */
  resolve(value: unknown): unknown {
    if (typeof value === 'string' || typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    const entries = Object.entries(value as Record<string, unknown>);
    const [key, argument] = entries[0] ?? [];
    if (entries.length === 1 && (key === 'Ref' || key?.startsWith('Fn::'))) {
      return this.#intrinsic(key as string, argument);
    }
    return Object.fromEntries(entries.map(([name, item]) => [name, this.resolve(item)]));
  }

  #intrinsic(name: string, argument: unknown): string {
    switch (name) {
      case 'Ref':
        return this.ref(String(argument));
      case 'Fn::GetAtt': {
        const [id, attribute] = argument as [string, string];
        // A state machine's Name: its executions' ARNs are built from it.
        if (attribute === 'Name' && this.#typeOf(id) === 'AWS::StepFunctions::StateMachine') {
          return this.#stateMachineNames.get(id) ?? id;
        }
        if (attribute !== 'Arn') throw new Error(`Fn::GetAtt ${id}.${attribute} is not resolved`);
        return this.getAttArn(id);
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown[]];
        return parts.map((part) => String(this.resolve(part))).join(separator);
      }
      case 'Fn::Sub': {
        const [text, variables = {}] =
          typeof argument === 'string' ? [argument, {}] : (argument as [string, object]);
        return text.replace(/\$\{([^}!]+)\}/g, (_, variable: string) => {
          const given = (variables as Record<string, unknown>)[variable];
          if (given !== undefined) return String(this.resolve(given));
          const [id = '', attribute] = variable.split('.');
          if (attribute === 'Arn') return this.getAttArn(id);
          if (attribute) throw new Error(`Fn::Sub \${${variable}} is not resolved`);
          return this.ref(id);
        });
      }
      default:
        throw new Error(`${name} is not resolved`);
    }
  }
}

function refTarget(value: unknown): string | undefined {
  const ref = (value as { Ref?: unknown } | null)?.Ref;
  return typeof ref === 'string' ? ref : undefined;
}

/** The names calls are recorded under, by the logical id of each function's Lambda. */
function recordedNames(synthesized: SynthesizedStack): Map<string, string> {
  const { stack } = synthesized;
  const names = new Map<string, string>();
  for (const [step, fn] of stack.workflow.stepFunctions) {
    names.set(logicalIdOf(stack, fn.function), stepFunctionName(step));
  }
  for (const [operationId, fn] of stack.api.functions) {
    names.set(logicalIdOf(stack, fn.function), operationId);
  }
  names.set(logicalIdOf(stack, stack.requests.handler.function), REQUEST_EVENTS_FUNCTION);
  names.set(logicalIdOf(stack, stack.healthChecks.handler.function), 'CheckVolumes');
  names.set(logicalIdOf(stack, stack.healthChecks.batchHandler.function), 'CheckVolumeBatch');
  names.set(logicalIdOf(stack, stack.settlement.handler.function), 'SettleExecution');
  return names;
}

/**
 * Every function of the stack with the policies of its role: AWS::IAM::Policy and
 * AWS::IAM::ManagedPolicy resources attached to it, its inline Policies and its
 * ManagedPolicyArns (only the stack's own: an AWS managed policy's text is not in the
 * template, so one is refused rather than silently left out).
 */
export function templatePolicies(
  synthesized: SynthesizedStack,
  names: PhysicalNames = LOCAL_PHYSICAL_NAMES,
): Map<string, FunctionPolicies> {
  const resolver = new IntrinsicResolver(synthesized, names);
  const resources = Object.entries(synthesized.resources);
  const document = (value: unknown) => resolver.resolve(value) as PolicyDocument;
  const result = new Map<string, FunctionPolicies>();
  for (const [functionLogicalId, recorded] of recordedNames(synthesized)) {
    const fn = synthesized.resources[functionLogicalId];
    const roleId = (fn?.Properties?.Role as { 'Fn::GetAtt'?: [string, string] } | undefined)?.[
      'Fn::GetAtt'
    ]?.[0];
    const role = roleId ? synthesized.resources[roleId] : undefined;
    if (!roleId || !role) throw new Error(`function ${recorded} has no role of the stack`);
    const attachedTo = (resource: TemplateResource) =>
      ((resource.Properties?.Roles as unknown[] | undefined) ?? []).some(
        (item) => refTarget(item) === roleId,
      );
    const policies: { name: string; policy: PolicyDocument }[] = [];
    for (const [id, resource] of resources) {
      if (
        (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') &&
        attachedTo(resource)
      ) {
        policies.push({ name: id, policy: document(resource.Properties?.PolicyDocument) });
      }
    }
    const inline =
      (role.Properties?.Policies as
        | Array<{ PolicyName: string; PolicyDocument: unknown }>
        | undefined) ?? [];
    for (const { PolicyName, PolicyDocument } of inline) {
      policies.push({ name: `${roleId}/${PolicyName}`, policy: document(PolicyDocument) });
    }
    for (const managed of (role.Properties?.ManagedPolicyArns as unknown[] | undefined) ?? []) {
      const id = refTarget(managed);
      const resource = id ? synthesized.resources[id] : undefined;
      if (!id || resource?.Type !== 'AWS::IAM::ManagedPolicy') {
        throw new Error(
          `role ${roleId} has managed policy ${JSON.stringify(managed)} whose text is not in the template`,
        );
      }
      if (!attachedTo(resource)) {
        policies.push({ name: id, policy: document(resource.Properties?.PolicyDocument) });
      }
    }
    result.set(recorded, {
      function: recorded,
      functionLogicalId,
      roleArn: resolver.getAttArn(roleId),
      policies,
    });
  }
  return result;
}

/**
 * Every IAM policy document of the stack (AWS::IAM::Policy, AWS::IAM::ManagedPolicy, roles'
 * inline policies), resolved: the functions' roles and the others (state machines, …).
 */
export function templatePolicyDocuments(
  synthesized: SynthesizedStack,
  names: PhysicalNames = LOCAL_PHYSICAL_NAMES,
): Array<{ readonly name: string; readonly policy: PolicyDocument }> {
  const resolver = new IntrinsicResolver(synthesized, names);
  const documents: Array<{ name: string; policy: PolicyDocument }> = [];
  for (const [id, resource] of Object.entries(synthesized.resources)) {
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      documents.push({
        name: id,
        policy: resolver.resolve(resource.Properties?.PolicyDocument) as PolicyDocument,
      });
    }
    if (resource.Type === 'AWS::IAM::Role') {
      const inline =
        (resource.Properties?.Policies as
          | Array<{ PolicyName: string; PolicyDocument: unknown }>
          | undefined) ?? [];
      for (const { PolicyName, PolicyDocument } of inline) {
        documents.push({
          name: `${id}/${PolicyName}`,
          policy: resolver.resolve(PolicyDocument) as PolicyDocument,
        });
      }
    }
  }
  return documents;
}
