import { Annotations, CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import { Peer, Port, SecurityGroup, Subnet, Vpc } from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import {
  type KubernetesNetwork,
  kubernetesNetworkOf,
  mountCheckEnvironment,
  QUOTA_SETTINGS,
  type ServiceConfig,
} from './config.ts';

function withoutPoll(mountCheck: ServiceConfig['mountCheck']): ServiceConfig['mountCheck'] {
  const { pollSeconds: _steps, ...planned } = mountCheck;
  return planned;
}

import { ExecutionSettlement } from './execution-settlement.ts';
import { VolumeHealthChecks } from './health-checks.ts';
import { KubernetesAccess } from './kubernetes-access.ts';
import { encryptLogGroups } from './log-encryption.ts';
import { acknowledgeStackFindings } from './nag-acknowledgements.ts';
import { pascalCase } from './naming.ts';
import { OperationsAlarms } from './operations-alarms.ts';
import { ProvisionRequests, serviceEventBus } from './request-events.ts';
import { restoreRole } from './restore-role.ts';
import type { FunctionNetwork } from './service-function.ts';
import { stepFunctionName } from './steps.ts';
import { VolumeResourceArns } from './volume-permissions.ts';
import { VolumeTable } from './volume-table.ts';
import { VolumesApi } from './volumes-api.ts';
import { VolumeWorkflow } from './workflow.ts';

export interface EfsVolumesStackProps extends StackProps {
  readonly config: ServiceConfig;
}

/**
 * The whole service: the REST API of openapi.yaml, the request events, the two workflows of
 * statemachine/*.asl.json with one Lambda per step, the volume table, and the EKS access
 * entries that let the functions into the configured clusters.
 */
export class EfsVolumesStack extends Stack {
  readonly records: VolumeTable;
  readonly workflow: VolumeWorkflow;
  readonly api: VolumesApi;
  readonly requests: ProvisionRequests;
  readonly settlement: ExecutionSettlement;
  readonly kubernetesAccess: KubernetesAccess;
  readonly operations: OperationsAlarms;
  readonly healthChecks: VolumeHealthChecks;

  constructor(scope: Construct, id: string, props: EfsVolumesStackProps) {
    super(scope, id, props);
    const { config } = props;
    const clusterArns =
      config.clusters.length > 0
        ? config.clusters.map((cluster) =>
            this.formatArn({ service: 'eks', resource: 'cluster', resourceName: cluster.name }),
          )
        : [this.formatArn({ service: 'eks', resource: 'cluster', resourceName: '*' })];
    const network = this.#kubernetesNetwork(kubernetesNetworkOf(config.clusters));

    this.records = new VolumeTable(this, 'Volumes');
    const bus = serviceEventBus(this, config);
    const environment = {
      POWERTOOLS_SERVICE_NAME: 'efs-volumes',
      POWERTOOLS_LOG_LEVEL: config.logLevel,
      VOLUMES_TABLE: this.records.table.tableName,
      EVENT_BUS_NAME: bus.eventBusName,
      // The value of the `efs-volumes:stack` tag the IAM policies require (functions/lib/aws/tags.ts).
      STACK_NAME: this.stackName,
    };

    // AWS Backup restores recovery points as this role (infra/restore-role.ts).
    const restore = restoreRole(this, new VolumeResourceArns(this, config.vpcIds), config);
    const restoreEnvironment = { RESTORE_ROLE_ARN: restore.roleArn };

    this.workflow = new VolumeWorkflow(this, 'Workflow', {
      restoreRoleArn: restore.roleArn,
      records: this.records,
      eventBus: bus,
      config,
      clusterArns,
      environment,
      kubernetesNetwork: network,
    });
    // Every API function checks the access policy; those that start workflows also validate
    // requests (root allowed?) and need the state machines.
    const apiEnvironment = { ...environment, ACCESS_POLICY: JSON.stringify(config.accessPolicy) };
    const workflowStartEnvironment = {
      ALLOW_ROOT_POSIX_USER: String(config.allowRootPosixUser),
      PROVISION_STATE_MACHINE_ARN: this.workflow.stateMachines.provision.stateMachineArn,
      DEPROVISION_STATE_MACHINE_ARN: this.workflow.stateMachines.deprovision.stateMachineArn,
      REPAIR_STATE_MACHINE_ARN: this.workflow.stateMachines.repair.stateMachineArn,
    };
    // Only the create path counts volumes and checks subnets (functions/lib/service/create-volume.ts).
    const warmPoolEnvironment: Record<string, string> =
      Object.keys(config.warmPool).length > 0 ? { WARM_POOL: JSON.stringify(config.warmPool) } : {};
    const quotaEnvironment = {
      ...Object.fromEntries(
        Object.entries(QUOTA_SETTINGS).map(([key, variable]) => [
          variable,
          String(config[key as keyof typeof QUOTA_SETTINGS]),
        ]),
      ),
      // The create path takes a warm pool member when the cluster keeps a pool.
      ...warmPoolEnvironment,
      // A request that names no verifyMount gets the stack's default.
      ...(config.verifyMount ? { VERIFY_MOUNT: 'true' } : {}),
      // ...and the plan shows the Job the steps would run (its poll interval is theirs alone).
      ...mountCheckEnvironment({ mountCheck: withoutPoll(config.mountCheck) }),
    };
    this.api = new VolumesApi(this, 'Api', {
      records: this.records,
      stateMachines: this.workflow.stateMachines,
      config,
      clusterArns,
      environment: apiEnvironment,
      workflowStartEnvironment,
      quotaEnvironment,
      restoreEnvironment,
      eventBus: bus,
      kubernetesNetwork: network,
    });
    this.requests = new ProvisionRequests(this, 'ProvisionRequests', {
      bus,
      records: this.records,
      provision: this.workflow.stateMachines.provision,
      config,
      clusterArns,
      environment: {
        ...apiEnvironment,
        ...workflowStartEnvironment,
        ...quotaEnvironment,
        ...restoreEnvironment,
      },
      kubernetesNetwork: network,
    });

    this.healthChecks = new VolumeHealthChecks(this, 'HealthChecks', {
      records: this.records,
      bus,
      config,
      clusterArns,
      environment,
      checkEnvironment: {
        ...warmPoolEnvironment,
        ...(config.efsKmsKeyArn ? { EFS_KMS_KEY_ID: config.efsKmsKeyArn } : {}),
      },
      stateMachines: this.workflow.stateMachines,
      kubernetesNetwork: network,
    });

    this.settlement = new ExecutionSettlement(this, 'ExecutionSettlement', {
      bus,
      records: this.records,
      stateMachines: this.workflow.stateMachines,
      clusterArns,
      environment,
      kubernetesNetwork: network,
    });

    this.kubernetesAccess = new KubernetesAccess(this, 'KubernetesAccess', {
      clusters: config.clusters,
      mode: config.kubernetesAccess,
      principals: [
        { id: 'Writer', role: this.workflow.kubernetesWriterRole, group: 'writer' },
        { id: 'LeftoverReporter', role: this.workflow.leftoverReporterRole, group: 'reader' },
        ...[...this.workflow.ownKubernetesRoles].map(([step, { role, group }]) => ({
          id: stepFunctionName(step),
          role,
          group,
        })),
        ...[...this.api.clusterReaderRoles].map(([operationId, role]) => ({
          id: `Api${pascalCase(operationId)}`,
          role,
          group: 'reader' as const,
        })),
        { id: 'RequestEvents', role: this.requests.role, group: 'reader' },
        { id: 'HealthChecks', role: this.healthChecks.role, group: 'reader' },
        { id: 'SettleExecutions', role: this.settlement.role, group: 'reader' },
      ],
    });

    this.operations = new OperationsAlarms(this, 'Operations', {
      config,
      api: this.api.api,
      apiFunctions: this.api.functions,
      stepFunctions: this.workflow.stepFunctions,
      eventFunctions: new Map([
        ['provision-requested', this.requests.handler],
        ['settle-execution', this.settlement.handler],
      ]),
      scheduledFunctions: new Map([['check-volumes', this.healthChecks.handler]]),
      stateMachines: this.workflow.stateMachines,
      requestDeadLetterQueue: this.requests.deadLetterQueue,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.api.url });
    new CfnOutput(this, 'EventBusName', { value: bus.eventBusName });
    new CfnOutput(this, 'VolumesTableName', { value: this.records.table.tableName });
    new CfnOutput(this, 'ProvisionStateMachineArn', {
      value: this.workflow.stateMachines.provision.stateMachineArn,
    });
    new CfnOutput(this, 'DeprovisionStateMachineArn', {
      value: this.workflow.stateMachines.deprovision.stateMachineArn,
    });
    new CfnOutput(this, 'KubernetesWriterRoleArn', {
      value: this.workflow.kubernetesWriterRole.roleArn,
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.operations.topic.topicArn });
    new CfnOutput(this, 'RequestDeadLetterQueueUrl', {
      value: this.requests.deadLetterQueue.queueUrl,
    });
    new CfnOutput(this, 'SettlementDeadLetterQueueUrl', {
      value: this.settlement.deadLetterQueue.queueUrl,
    });

    encryptLogGroups(this, config.logsKmsKeyArn);
    acknowledgeStackFindings(this, config);
  }

  #kubernetesNetwork(placement: KubernetesNetwork | undefined): FunctionNetwork | undefined {
    if (!placement) return undefined;
    const vpc = Vpc.fromVpcAttributes(this, 'KubernetesVpc', {
      vpcId: placement.vpcId,
      // Subnets are named one by one below, so the zones are never used to select them.
      availabilityZones: Fn.getAzs(),
    });
    Annotations.of(vpc).acknowledgeWarning(
      '@aws-cdk/aws-ec2:vpcAttributeIsListTokenavailabilityZones',
      'the subnets are given by id; the zone list is never used to select any',
    );
    const subnets = placement.subnetIds.map((subnetId) => {
      const subnet = Subnet.fromSubnetId(this, `KubernetesSubnet-${subnetId}`, subnetId);
      Annotations.of(subnet).acknowledgeWarning(
        '@aws-cdk/aws-ec2:noSubnetRouteTableId',
        'only Lambda network interfaces go in these subnets; no route is read or added',
      );
      return subnet;
    });
    const securityGroup = placement.securityGroupId
      ? SecurityGroup.fromSecurityGroupId(
          this,
          'KubernetesSecurityGroup',
          placement.securityGroupId,
        )
      : new SecurityGroup(this, 'KubernetesSecurityGroup', {
          vpc,
          description: 'efs-volumes functions that call EKS API endpoints and AWS APIs',
          allowAllOutbound: false,
        });
    if (!placement.securityGroupId) {
      // HTTPS only: the cluster endpoint and the AWS APIs (through NAT or VPC endpoints).
      securityGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS to EKS and AWS APIs');
    }
    return { vpc, subnets, securityGroup };
  }
}
