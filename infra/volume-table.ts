import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CLUSTER_INDEX, LIST_INDEX, NAMESPACE_INDEX } from '../functions/lib/volume/record.ts';

/**
 * What a function does with volume records, by the DynamoDB actions it needs. `put` writes a
 * record and its claim item in one TransactWriteItems (which IAM authorizes as its PutItems);
 * `release` deletes a claim item when its volume becomes DELETED or FAILED.
 */
export type RecordAccess = 'get' | 'put' | 'update' | 'release' | 'list';

const ACTIONS: Readonly<Record<RecordAccess, string>> = {
  get: 'dynamodb:GetItem',
  put: 'dynamodb:PutItem',
  update: 'dynamodb:UpdateItem',
  release: 'dynamodb:DeleteItem',
  list: 'dynamodb:Query',
};

/**
 * The volume records, one item per volume (key `id`), listed newest first through the
 * `byCreation` index, one cluster's through `byCluster` or one namespace's through
 * `byNamespace` (GET /volumes reads only the partitions a caller may see). A claim item
 * (`claim#<cluster>/<namespace>/<name>`, in no index) reserves a claim for one live volume.
 * local/volumes-table.ts creates the same table for local mode.
 *
 * This table is also the idempotency store: the service derives a volume's id from the
 * caller and the Idempotency-Key (or the event's key) and creates the item with a
 * conditional write, so concurrent retries race for one item and all answer the same volume.
 * A separate Powertools idempotency table would hold the same fact twice.
 */
export class VolumeTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // The AWS managed key (aws/dynamodb): encrypted with KMS, and every role that may use
      // the table may use the key, with no key grants to keep in step with table grants.
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      // The records list what exists in AWS and Kubernetes: never lose them with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: LIST_INDEX,
      partitionKey: { name: 'recordType', type: AttributeType.STRING },
      sortKey: { name: 'createdAt', type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: NAMESPACE_INDEX,
      partitionKey: { name: 'clusterNamespace', type: AttributeType.STRING },
      sortKey: { name: 'createdAt', type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
    // Added to a deployed table, it is backfilled after CloudFormation moved on: until it is
    // ACTIVE, lists read a cluster through byCreation (record.ts). CloudFormation adds one
    // index per update: add the next in another deployment.
    this.table.addGlobalSecondaryIndex({
      indexName: CLUSTER_INDEX,
      partitionKey: { name: 'clusterName', type: AttributeType.STRING },
      sortKey: { name: 'createdAt', type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
  }

  /** Grants exactly the record operations a function performs; `list` reads the indexes only. */
  grant(grantee: IGrantable, ...access: RecordAccess[]): void {
    const onTable = access.filter((kind) => kind !== 'list').map((kind) => ACTIONS[kind]);
    if (onTable.length > 0) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({ actions: onTable, resources: [this.table.tableArn] }),
      );
    }
    if (access.includes('list')) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({
          actions: [ACTIONS.list],
          resources: [LIST_INDEX, NAMESPACE_INDEX, CLUSTER_INDEX].map(
            (index) => `${this.table.tableArn}/index/${index}`,
          ),
        }),
      );
    }
  }
}
