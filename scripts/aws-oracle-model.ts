// Reads the AWS SDK's service models as node_modules carries them: for every AWS operation
// functions/ calls, the errors its model declares; for every status field the code reads, the
// values its enum declares. scripts/aws-oracle.ts writes the result to
// functions/lib/aws/oracle.generated.ts; test/unit/aws-oracle.test.ts rebuilds it and fails
// while the two differ. Nothing here is typed by hand but the list of status enums.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Whose fault an error is, as the model says: a client fault is the request's, a server's AWS's. */
export type Fault = 'client' | 'server';

export interface AwsOracle {
  /** `<iam prefix>:<Operation>` → the errors its model declares → their fault. */
  readonly operations: Readonly<Record<string, Readonly<Record<string, Fault>>>>;
  /** `<iam prefix>:<Enum>` → the values its model declares, sorted. */
  readonly enums: Readonly<Record<string, readonly string[]>>;
  /**
   * `<iam prefix>:<Operation>` → each declared error → the HTTP status AWS answers it with:
   * the error shape's `httpError` trait, else the protocol's default (400 for a client fault,
   * 500 for a server's).
   */
  readonly statuses: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** The SDK package of each service the functions call, and its IAM action prefix. */
const SERVICES: Readonly<Record<string, string>> = {
  'client-dynamodb': 'dynamodb',
  'client-ec2': 'ec2',
  'client-eks': 'eks',
  'client-efs': 'elasticfilesystem',
  'client-eventbridge': 'events',
  'client-sfn': 'states',
};

/** The document client's commands, by the DynamoDB operation each sends. */
const DOCUMENT_COMMANDS: Readonly<Record<string, string>> = {
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
  Delete: 'DeleteItem',
  Get: 'GetItem',
  Put: 'PutItem',
  Query: 'Query',
  Scan: 'Scan',
  TransactGet: 'TransactGetItems',
  TransactWrite: 'TransactWriteItems',
  Update: 'UpdateItem',
};

/**
 * The enums of the status fields the code reads, by package. A new status field read needs a
 * line here: the enum's name cannot be found from the code's `.status` alone.
 */
export const STATUS_ENUMS: ReadonlyArray<{ readonly sdkPackage: string; readonly name: string }> = [
  // DescribeCluster's cluster.status (cluster.ts)
  { sdkPackage: 'client-eks', name: 'ClusterStatus' },
  // DescribeFargateProfile's fargateProfile.status (fargate-preflight.ts)
  { sdkPackage: 'client-eks', name: 'FargateProfileStatus' },
  // LifeCycleState of file systems, mount targets and access points
  { sdkPackage: 'client-efs', name: 'LifeCycleState' },
  // DescribeExecution's status (settle-execution.ts, create-volume.ts)
  { sdkPackage: 'client-sfn', name: 'ExecutionStatus' },
];

function typeScriptFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

const SDK_IMPORT = /import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/(client-[a-z0-9]+|lib-dynamodb)'/g;

/** The operation a value imported from an SDK package sends, if it is a command or a paginator. */
function operationOf(imported: string, sdkPackage: string): string | undefined {
  const name = imported.trim();
  if (name.startsWith('type ')) return undefined;
  const command = /^(\w+)Command$/.exec(name)?.[1];
  if (sdkPackage === 'lib-dynamodb') return command ? DOCUMENT_COMMANDS[command] : undefined;
  return command ?? /^paginate(\w+)$/.exec(name)?.[1];
}

/** Every `<iam prefix>:<Operation>` the TypeScript under `directory` sends, from its imports. */
export function calledOperations(directory: string): string[] {
  const found = new Set<string>();
  for (const file of typeScriptFiles(directory)) {
    for (const [, names = '', sdkPackage = ''] of readFileSync(file, 'utf8').matchAll(SDK_IMPORT)) {
      const prefix = SERVICES[sdkPackage === 'lib-dynamodb' ? 'client-dynamodb' : sdkPackage];
      if (!prefix) continue;
      for (const imported of names.split(',')) {
        const operation = operationOf(imported, sdkPackage);
        if (operation) found.add(`${prefix}:${operation}`);
      }
    }
  }
  return [...found].sort();
}

function packageOf(prefix: string): string {
  const found = Object.entries(SERVICES).find(([, iam]) => iam === prefix)?.[0];
  if (!found) throw new Error(`no SDK package for the IAM prefix ${prefix}`);
  return found;
}

/** The errors a command's model declares: its `@throws {@link X} (client fault)` doc lines. */
export function declaredErrors(sdkRoot: string, operation: string): Record<string, Fault> {
  const [prefix = '', name = ''] = operation.split(':');
  const file = join(sdkRoot, packageOf(prefix), 'dist-types/commands', `${name}Command.d.ts`);
  const errors: Record<string, Fault> = {};
  for (const [, error = '', fault] of readFileSync(file, 'utf8').matchAll(
    /@throws \{@link (\w+)\} \((client|server) fault\)/g,
  )) {
    errors[error] = fault as Fault;
  }
  return sortedObject(errors);
}

/** Each error shape's `httpError` trait in a client's schemas (`{ [_e]: _c, [_hE]: 409 }`). */
export function errorHttpStatuses(sdkRoot: string, prefix: string): Record<string, number> {
  const directory = join(sdkRoot, packageOf(prefix), 'dist-es/schemas');
  const statuses: Record<string, number> = {};
  for (const file of readdirSync(directory).filter((entry) => entry.endsWith('.js'))) {
    const text = readFileSync(join(directory, file), 'utf8');
    for (const [, name = '', traits = ''] of text.matchAll(
      /export var (\w+)\$ = \[-3, \w+, \w+,\s*\{([^}]*)\}/g,
    )) {
      const status = /\[_hE\]: (\d+)/.exec(traits)?.[1];
      if (status) statuses[name] = Number(status);
    }
  }
  return statuses;
}

/** The values an enum of the model declares (`export declare const Name: { readonly A: "a" }`). */
export function enumValues(sdkRoot: string, sdkPackage: string, name: string): string[] {
  const models = join(sdkRoot, sdkPackage, 'dist-types/models');
  for (const file of readdirSync(models).filter((entry) => entry.endsWith('.d.ts'))) {
    const body = new RegExp(`export declare const ${name}: \\{([^}]*)\\}`).exec(
      readFileSync(join(models, file), 'utf8'),
    )?.[1];
    if (body) return [...body.matchAll(/readonly \w+: "([^"]*)"/g)].map(([, v = '']) => v).sort();
  }
  throw new Error(`${sdkPackage} declares no enum ${name}`);
}

function sortedObject<T>(entries: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(entries).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The oracle as the SDK under `sdkRoot` (node_modules/@aws-sdk) declares it, for the operations
 * the code under `functionsRoot` calls.
 */
export function buildOracle(sdkRoot: string, functionsRoot: string): AwsOracle {
  const operations = Object.fromEntries(
    calledOperations(functionsRoot).map((operation) => [
      operation,
      declaredErrors(sdkRoot, operation),
    ]),
  );
  const enums = Object.fromEntries(
    STATUS_ENUMS.map(({ sdkPackage, name }) => [
      `${SERVICES[sdkPackage]}:${name}`,
      enumValues(sdkRoot, sdkPackage, name),
    ]),
  );
  const statuses = Object.fromEntries(
    Object.entries(operations).map(([operation, errors]) => {
      const traits = errorHttpStatuses(sdkRoot, operation.split(':')[0] ?? '');
      return [
        operation,
        Object.fromEntries(
          Object.entries(errors).map(([error, fault]) => [
            error,
            traits[error] ?? (fault === 'server' ? 500 : 400),
          ]),
        ),
      ];
    }),
  );
  return { operations, enums: sortedObject(enums), statuses };
}

/** The oracle as TypeScript, `as const` so its keys type the outcome table. */
export function renderOracle(oracle: AwsOracle): string {
  return `// Generated by scripts/aws-oracle.ts from the AWS SDK's service models in node_modules: do
// not edit. Regenerate with \`node scripts/aws-oracle.ts\` after an SDK upgrade, then give every
// new entry an outcome in aws-outcomes.ts (tsc names those missing).

/** Every AWS operation functions/ calls → the errors its model declares → whose fault. */
export const AWS_OPERATION_ERRORS = ${JSON.stringify(oracle.operations, null, 2)} as const;

/** Every status enum the code reads → the values its model declares. */
export const AWS_STATUS_ENUMS = ${JSON.stringify(oracle.enums, null, 2)} as const;

/** Every declared error → the HTTP status AWS answers it with (its httpError, else 400 / 500). */
export const AWS_ERROR_STATUSES = ${JSON.stringify(oracle.statuses, null, 2)} as const;
`;
}
