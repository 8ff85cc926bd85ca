import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ISecurityGroup, ISubnet, IVpc } from 'aws-cdk-lib/aws-ec2';
import { type IRole, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  Code,
  Function as LambdaFunction,
  Runtime,
  RuntimeFamily,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { functionBundleDirectory } from './function-bundles.ts';
import { FUNCTION_TIMEOUT_SECONDS } from './function-catalog.ts';
import {
  acknowledgeTracingFunctionRole,
  acknowledgeVpcFunctionRole,
} from './nag-acknowledgements.ts';

export { PROJECT_ROOT } from './bundling.ts';

/**
 * Node.js 24, the newest Lambda Node runtime. Older aws-cdk-lib releases lack the constant;
 * the runtime name is what CloudFormation receives either way.
 */
export const NODE_RUNTIME: Runtime =
  (Runtime as unknown as { NODEJS_24_X?: Runtime }).NODEJS_24_X ??
  new Runtime('nodejs24.x', RuntimeFamily.NODEJS, { supportsInlineCode: true });

/** Where a function runs when it must reach a private cluster endpoint. */
export interface FunctionNetwork {
  readonly vpc: IVpc;
  readonly subnets: readonly ISubnet[];
  readonly securityGroup: ISecurityGroup;
}

export interface ServiceFunctionProps {
  /** The handler file, relative to the project root, e.g. `functions/steps/resolve-cluster.ts`. */
  readonly entry: string;
  readonly description: string;
  /** The execution role; several functions may share one when they need the same access. */
  readonly role: IRole;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeout: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default outside any VPC */
  readonly network?: FunctionNetwork;
}

/**
 * An execution role for one or more service functions, assumed by Lambda; its description is
 * prefixed `efs-volumes: ` so the account's roles show whose they are.
 */
export function functionRole(scope: Construct, id: string, description: string): Role {
  return new Role(scope, id, {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: `efs-volumes: ${description}`,
  });
}

/**
 * One Lambda of the service: an esbuild bundle of one handler (ESM, minified, source maps),
 * nodejs24.x on arm64, its own log group kept one month, and a role given from outside so
 * each function holds only what its step needs.
 */
export class ServiceFunction extends Construct {
  readonly function: LambdaFunction;
  readonly logGroup: LogGroup;
  /** The handler file, relative to the project root. */
  readonly entry: string;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    this.entry = props.entry;
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.function = new LambdaFunction(this, 'Function', {
      // The bundle local mode and the tests run (infra/function-bundles.ts), deployed as is.
      code: Code.fromAsset(functionBundleDirectory(props.entry)),
      handler: 'index.handler',
      description: props.description,
      runtime: NODE_RUNTIME,
      architecture: Architecture.ARM_64,
      tracing: Tracing.ACTIVE,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout,
      role: props.role,
      logGroup: this.logGroup,
      // No NODE_OPTIONS=--enable-source-maps: it parses the source map at every cold start;
      // stack traces are mapped when one is formatted (#powertools/stack-traces).
      environment: props.environment,
      ...(props.network
        ? {
            vpc: props.network.vpc,
            vpcSubnets: { subnets: [...props.network.subnets] },
            securityGroups: [props.network.securityGroup],
          }
        : {}),
    });
    if (props.network) {
      // What AWSLambdaVPCAccessExecutionRole grants: Lambda manages the function's network
      // interfaces with the execution role, and EC2 cannot scope these to resources.
      props.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      );
      acknowledgeVpcFunctionRole(props.role);
    }
    acknowledgeTracingFunctionRole(props.role);
    // Only this function's log group: the role never gets logs:* on the account.
    props.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
  }
}

/** The timeouts of infra/function-catalog.ts (FUNCTION_TIMEOUT_SECONDS), as Durations. */
export const API_TIMEOUT = Duration.seconds(FUNCTION_TIMEOUT_SECONDS.api);
export const EVENT_TIMEOUT = Duration.seconds(FUNCTION_TIMEOUT_SECONDS.event);
export const SCHEDULE_TIMEOUT = Duration.seconds(FUNCTION_TIMEOUT_SECONDS.schedule);
