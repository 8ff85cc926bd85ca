// Orphan sweep: lists the AWS resources this service tagged whose volume record is gone or
// terminal, and deletes them with --delete. Dry run by default.
//   VOLUMES_TABLE=efs-volumes STACK_NAME=EfsVolumes AWS_REGION=eu-west-1 npm run sweep [-- --delete] [-- --json]
// Only resources tagged with this stack's name (efs-volumes:stack) are candidates.
// In local mode, also set AWS_ENDPOINT_URL to the `aws` URL of .local/endpoints.json.
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EFSClient } from '@aws-sdk/client-efs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sweepOrphans } from '../functions/lib/sweep/orphans.ts';
import { VolumeRecordStore } from '../functions/lib/volume/record.ts';

let values: {
  delete?: boolean;
  json?: boolean;
  table?: string;
  stack?: string;
  help?: boolean;
};
try {
  ({ values } = parseArgs({
    options: {
      delete: { type: 'boolean' },
      json: { type: 'boolean' },
      table: { type: 'string' },
      stack: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  process.stderr.write(`sweep-orphans: ${(error as Error).message}\nrun with --help for usage\n`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write('usage: sweep-orphans [--delete] [--json] [--table NAME] [--stack NAME]\n');
  process.exit(0);
}
const table = values.table ?? process.env.VOLUMES_TABLE;
if (!table) {
  process.stderr.write('sweep-orphans: name the volume table with --table or VOLUMES_TABLE\n');
  process.exit(2);
}

const stack = values.stack ?? process.env.STACK_NAME;
if (!stack) {
  process.stderr.write(
    'sweep-orphans: name the stack whose resources to sweep with --stack or STACK_NAME (the efs-volumes:stack tag)\n',
  );
  process.exit(2);
}

const report = await sweepOrphans(
  {
    efs: new EFSClient({}),
    ec2: new EC2Client({}),
    records: new VolumeRecordStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), table),
  },
  { delete: values.delete ?? false, stack },
);
if (values.json) {
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} else {
  for (const orphan of report.orphans) {
    process.stdout.write(
      `${orphan.type.padEnd(14)} ${orphan.id.padEnd(24)} ${orphan.volumeId}  (${orphan.reason})\n`,
    );
  }
  const verb = values.delete
    ? `deleted ${report.deleted.length}, failed ${report.failed.length}`
    : 'dry run: nothing deleted (use --delete)';
  process.stdout.write(`${report.orphans.length} orphan(s); ${verb}\n`);
  for (const failure of report.failed)
    process.stderr.write(`failed: ${failure.type} ${failure.id}: ${failure.error}\n`);
}
process.exitCode = report.failed.length > 0 ? 1 : 0;
