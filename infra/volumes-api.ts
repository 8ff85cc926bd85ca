import { Stack } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  ApiDefinition,
  EndpointType,
  LogGroupLogDestination,
  SpecRestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { type IRole, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { API_OPERATIONS, type OperationAccess } from './api-operations.ts';
import { describeClustersStatement } from './cluster-permissions.ts';
import { hasWarmPool, type ServiceConfig } from './config.ts';
import { grantDescribeExecutions } from './execution-permissions.ts';
import { acknowledgeApi, acknowledgeFargateProfileReads } from './nag-acknowledgements.ts';
import { apiGatewayDocument, operationsOf, readOpenApi } from './openapi-for-api-gateway.ts';
import {
  fargatePreflightStatements,
  grantHealthCheck,
  healthCheckStatements,
} from './operation-statements.ts';
import {
  API_TIMEOUT,
  type FunctionNetwork,
  functionRole,
  PROJECT_ROOT,
  ServiceFunction,
} from './service-function.ts';
import {
  addStatements,
  recoveryPointReadStatements,
  restoreSourceStatements,
} from './volume-permissions.ts';
import type { VolumeTable } from './volume-table.ts';

export interface VolumesApiProps {
  readonly records: VolumeTable;
  readonly stateMachines: Readonly<Record<'provision' | 'deprovision' | 'repair', StateMachine>>;
  readonly config: ServiceConfig;
  readonly clusterArns: readonly string[];
  /** Every API function's environment (shared settings and the access policy). */
  readonly environment: Readonly<Record<string, string>>;
  /** Added for the operations that start a workflow (request settings, state machines). */
  readonly workflowStartEnvironment: Readonly<Record<string, string>>;
  /** Added for the operation that starts provisioning: the quotas it enforces. */
  readonly quotaEnvironment?: Readonly<Record<string, string>>;
  /** Added for the operations that read recovery points (RESTORE_ROLE_ARN). */
  readonly restoreEnvironment?: Readonly<Record<string, string>>;
  /** Where the functions that read a cluster run. @default outside any VPC */
  readonly kubernetesNetwork?: FunctionNetwork;
  /** The bus of lifecycle events, for the operations that raise one (`checksHealth`). */
  readonly eventBus?: IEventBus;
}

/**
 * The REST API of openapi.yaml: request validation, IAM (SigV4) authorization on every
 * method, access logs, stage throttling, one Lambda per operation.
 */
export class VolumesApi extends Construct {
  readonly api: SpecRestApi;
  readonly functions: ReadonlyMap<string, ServiceFunction>;
  /** operationId → the role of a function that reads namespaces, claims or pods: reader group. */
  readonly clusterReaderRoles: ReadonlyMap<string, IRole>;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: VolumesApiProps) {
    super(scope, id);
    const openapi = readOpenApi(`${PROJECT_ROOT}openapi.yaml`);
    const operations = operationsOf(openapi);
    const missing = operations.filter((operation) => !API_OPERATIONS[operation.operationId]);
    if (missing.length > 0) {
      throw new Error(
        `openapi.yaml operations without a handler: ${missing.map((o) => o.operationId).join(', ')}`,
      );
    }

    const functions = new Map<string, ServiceFunction>();
    const readerRoles = new Map<string, IRole>();
    for (const { operationId } of operations) {
      const access = API_OPERATIONS[operationId] as OperationAccess;
      const role = functionRole(this, `${operationId}Role`, `API ${access.description}`);
      props.records.grant(role, ...access.records);
      // The create path lists the cluster's warm pool members, when a pool is kept.
      if (operationId === 'createVolume' && hasWarmPool(props.config)) {
        props.records.grant(role, 'list');
      }
      if (access.starts) props.stateMachines[access.starts].grantStartExecution(role);
      // A failed StartExecution may still have started it: the create path asks (create-volume.ts).
      if (access.starts === 'provision') {
        grantDescribeExecutions(role, props.stateMachines.provision);
      }
      if (access.readsCluster) {
        addStatements(role, [describeClustersStatement(props.clusterArns)]);
        if (access.starts === 'provision') {
          addStatements(role, fargatePreflightStatements(props.clusterArns));
          acknowledgeFargateProfileReads(role, props.clusterArns);
        }
        // A repair checks the volume first (and records nothing of it, so raises no event).
        if (access.starts === 'repair') {
          addStatements(role, healthCheckStatements(props.clusterArns));
          acknowledgeFargateProfileReads(role, props.clusterArns);
        }
        readerRoles.set(operationId, role);
      }
      if (access.checksRestoreSource) {
        addStatements(role, restoreSourceStatements(this));
      } else if (access.readsRecoveryPoints) {
        addStatements(role, recoveryPointReadStatements());
      }
      if (access.checksHealth) {
        if (!props.eventBus) throw new Error(`${operationId} raises events: give eventBus`);
        grantHealthCheck(role, { bus: props.eventBus, clusterArns: props.clusterArns });
      }
      functions.set(
        operationId,
        new ServiceFunction(this, operationId, {
          entry: `functions/api/${access.handler}.ts`,
          description: access.description,
          role,
          environment: {
            ...props.environment,
            ...(access.starts ? props.workflowStartEnvironment : {}),
            ...(access.starts === 'provision' ? props.quotaEnvironment : {}),
            ...(access.readsRecoveryPoints ? props.restoreEnvironment : {}),
          },
          timeout: API_TIMEOUT,
          memorySize: 512,
          network: access.readsCluster ? props.kubernetesNetwork : undefined,
        }),
      );
    }
    this.functions = functions;
    this.clusterReaderRoles = readerRoles;

    const stack = Stack.of(this);
    const integrations = Object.fromEntries(
      operations.map(({ operationId }) => [
        operationId,
        `arn:${stack.partition}:apigateway:${stack.region}:lambda:path/2015-03-31/functions/${this.#function(operationId).functionArn}/invocations`,
      ]),
    );

    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_MONTH });
    this.api = new SpecRestApi(this, 'Api', {
      restApiName: `${stack.stackName}-volumes`,
      description: 'EFS volumes for EKS Fargate (openapi.yaml)',
      apiDefinition: ApiDefinition.fromInline(apiGatewayDocument(openapi, { integrations })),
      endpointTypes: [EndpointType.REGIONAL],
      // API Gateway's account-level CloudWatch role is shared by every API of the region:
      // not this stack's to own. Access logs need no role.
      cloudWatchRole: false,
      deployOptions: {
        stageName: 'v1',
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            extendedRequestId: '$context.extendedRequestId',
            requestTime: '$context.requestTime',
            caller: '$context.identity.caller',
            userArn: '$context.identity.userArn',
            sourceIp: '$context.identity.sourceIp',
            httpMethod: '$context.httpMethod',
            resourcePath: '$context.resourcePath',
            status: '$context.status',
            responseLength: '$context.responseLength',
            errorType: '$context.error.responseType',
            errorMessage: '$context.error.message',
            validationError: '$context.error.validationErrorString',
            integrationStatus: '$context.integration.status',
            integrationLatency: '$context.integration.latency',
          }),
        ),
        throttlingRateLimit: props.config.apiRateLimit,
        throttlingBurstLimit: props.config.apiBurstLimit,
        tracingEnabled: true,
      },
    });

    acknowledgeApi(this.api, this.api.deploymentStage);

    for (const { operationId, path, method } of operations) {
      // `{id}` in a path is any one segment in an execute-api ARN.
      const arnPath = path.replace(/\{[^}]+\}/g, '*');
      this.#function(operationId).addPermission(`Invoke${operationId}`, {
        principal: new ServicePrincipal('apigateway.amazonaws.com'),
        sourceArn: this.api.arnForExecuteApi(
          method.toUpperCase(),
          arnPath,
          this.api.deploymentStage.stageName,
        ),
      });
    }
  }

  #function(operationId: string) {
    const found = this.functions.get(operationId);
    if (!found) throw new Error(`no function for operation ${operationId}`);
    return found.function;
  }
}
