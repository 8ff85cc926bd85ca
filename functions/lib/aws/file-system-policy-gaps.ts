// Reads a file system policy the way EFS evaluates it for an anonymous NFS client (a pod on
// EKS Fargate: no IAM identity on the mount, so only `Principal: *` statements reach it).
// Deliberately conservative: whatever this module cannot prove closed counts as open, and the
// gap says why, so the file system's owner knows what to change.

/** The NFS client actions EFS authorizes through a file system policy. */
export const CLIENT_MOUNT = 'elasticfilesystem:ClientMount';
export const CLIENT_WRITE = 'elasticfilesystem:ClientWrite';
export const CLIENT_ROOT_ACCESS = 'elasticfilesystem:ClientRootAccess';
const CLIENT_ACTIONS = [CLIENT_MOUNT, CLIENT_WRITE, CLIENT_ROOT_ACCESS] as const;

/** The condition key that names the access point a client mounts through. */
const ACCESS_POINT_ARN_KEY = 'elasticfilesystem:accesspointarn';

/**
 * Condition operators that fail when the key is absent (a mount without an access point), so
 * an Allow carrying one on `elasticfilesystem:AccessPointArn` never reaches the root. Not the
 * `…IfExists` forms, the negated ones or `ForAllValues:`: each is true when the key is absent.
 */
const CONFINING_OPERATORS = new Set([
  'ArnEquals',
  'ArnLike',
  'StringEquals',
  'StringLike',
  'StringEqualsIgnoreCase',
]);

type JsonObject = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A policy field that may be one string or a list of them; undefined when it is neither. */
function stringList(value: unknown): readonly string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  return undefined;
}

/**
 * IAM's wildcard match: `*` any run of characters, `?` one. Actions compare case-insensitively,
 * resource ARNs exactly.
 */
function wildcardMatches(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .split('')
    .map((character) => {
      if (character === '*') return '.*';
      if (character === '?') return '.';
      return character.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

/** One statement, read as far as the analysis needs; `undefined` fields could not be read. */
interface ReadStatement {
  readonly label: string;
  readonly effect: string | undefined;
  /** `Principal` reaches anonymous clients (`*`, or `*` among any of its values). */
  readonly anonymous: boolean;
  /** The statement names its principals with `NotPrincipal`, or names none. */
  readonly principalUnclear: boolean;
  /** Whether the statement covers an action; undefined when its Action cannot be read. */
  readonly covers: ((action: string) => boolean) | undefined;
  /** Whether its Resource names the file system; false for NotResource or none. */
  readonly namesFileSystem: boolean;
  readonly condition: JsonObject | undefined;
  /** A Condition that is present but not an object of objects. */
  readonly conditionUnreadable: boolean;
}

function principalIsAnonymous(principal: unknown): boolean {
  if (principal === '*') return true;
  if (!isObject(principal)) return false;
  return Object.values(principal).some((value) => stringList(value)?.includes('*') ?? false);
}

function readStatement(raw: JsonObject, index: number, fileSystemArn: string): ReadStatement {
  const sid = typeof raw.Sid === 'string' && raw.Sid !== '' ? raw.Sid : undefined;
  const actions = stringList(raw.Action);
  const notActions = stringList(raw.NotAction);
  let covers: ReadStatement['covers'];
  if (actions && raw.NotAction === undefined) {
    covers = (action) => actions.some((pattern) => wildcardMatches(pattern, action, true));
  } else if (notActions && raw.Action === undefined) {
    covers = (action) => !notActions.some((pattern) => wildcardMatches(pattern, action, true));
  }
  const resources = raw.NotResource === undefined ? stringList(raw.Resource) : undefined;
  const conditionPresent = raw.Condition !== undefined;
  const condition =
    isObject(raw.Condition) && Object.values(raw.Condition).every(isObject)
      ? raw.Condition
      : undefined;
  return {
    label: sid ? `statement "${sid}"` : `statement ${index + 1}`,
    effect: typeof raw.Effect === 'string' ? raw.Effect : undefined,
    anonymous: raw.NotPrincipal === undefined && principalIsAnonymous(raw.Principal),
    principalUnclear: raw.NotPrincipal !== undefined || raw.Principal === undefined,
    covers,
    namesFileSystem:
      resources?.some((pattern) => wildcardMatches(pattern, fileSystemArn, false)) ?? false,
    condition,
    conditionUnreadable: conditionPresent && condition === undefined,
  };
}

/** The condition's operators and keys, keys lower-cased (IAM compares them so). */
function conditionEntries(
  condition: JsonObject,
): { operator: string; key: string; values: readonly unknown[] }[] {
  return Object.entries(condition).flatMap(([operator, clauses]) =>
    Object.entries(clauses as JsonObject).map(([key, value]) => ({
      operator,
      key: key.toLowerCase(),
      values: Array.isArray(value) ? value : [value],
    })),
  );
}

/**
 * A Deny that applies to every anonymous client without TLS and covers every client action on
 * this file system: its only condition is `Bool` `aws:SecureTransport` = `false` (or it has
 * none, and denies everything).
 */
function deniesPlainTransport(statement: ReadStatement): boolean {
  if (statement.effect !== 'Deny' || !statement.anonymous || !statement.namesFileSystem)
    return false;
  const { covers } = statement;
  if (!covers || !CLIENT_ACTIONS.every((action) => covers(action))) return false;
  if (statement.conditionUnreadable) return false;
  const entries = statement.condition ? conditionEntries(statement.condition) : [];
  return entries.every(
    (entry) =>
      entry.operator === 'Bool' &&
      entry.key === 'aws:securetransport' &&
      entry.values.some((value) => value === false || String(value).toLowerCase() === 'false'),
  );
}

/** A Deny with no condition that refuses the action to every anonymous client. */
function deniesOutright(statement: ReadStatement, action: string): boolean {
  return (
    statement.effect === 'Deny' &&
    statement.anonymous &&
    statement.namesFileSystem &&
    !statement.conditionUnreadable &&
    (statement.condition === undefined || conditionEntries(statement.condition).length === 0) &&
    (statement.covers?.(action) ?? false)
  );
}

/** An Allow condition that requires the client to mount through an access point. */
function confinedToAccessPoints(statement: ReadStatement): boolean {
  if (!statement.condition) return false;
  return conditionEntries(statement.condition).some(
    (entry) => CONFINING_OPERATORS.has(entry.operator) && entry.key === ACCESS_POINT_ARN_KEY,
  );
}

const SHORT_NAMES: Readonly<Record<string, string>> = {
  [CLIENT_MOUNT]: 'ClientMount',
  [CLIENT_ROOT_ACCESS]: 'ClientRootAccess',
};

/**
 * Why a file system policy does not close the file system to anonymous NFS clients, as a
 * shared file system of someone else's must be before this service puts volumes on it. Empty
 * when it is closed, which takes both:
 * - **TLS required**: a Deny for every principal (`*` or `{"AWS": "*"}`) on the file system,
 *   covering ClientMount, ClientWrite and ClientRootAccess (`*`, `elasticfilesystem:*`,
 *   `elasticfilesystem:Client*`, a list, or a NotAction that spares none of them), whose only
 *   condition is `Bool` `aws:SecureTransport` = `false` (an unconditional Deny also does);
 * - **no anonymous root**: no Allow that reaches anonymous clients grants ClientMount (mounting
 *   the root at all) or ClientRootAccess without an `elasticfilesystem:AccessPointArn`
 *   condition that fails when no access point is used (ArnLike, ArnEquals, StringLike,
 *   StringEquals), unless an unconditional Deny for every principal refuses that action.
 *
 * Conservative by design: an Allow with `NotPrincipal` or no Principal counts as reaching
 * anonymous clients; an Allow's Resource is not read (it is taken to apply); a Deny is credited
 * only as described above (never one with `NotPrincipal`, `NotResource` or other conditions);
 * a statement or field that cannot be read is a gap of its own.
 *
 * @param policy the file system policy's JSON text; undefined when the file system has none
 *   (DescribeFileSystemPolicy answered `PolicyNotFound`), which EFS treats as full access for
 *   every client that reaches a mount target
 * @param fileSystemArn the file system's ARN, which a crediting Deny's Resource must match
 * @returns one sentence per gap, each saying what is open
 */
export function fileSystemPolicyGaps(
  policy: string | undefined,
  fileSystemArn: string,
): readonly string[] {
  if (policy === undefined) {
    return [
      'it has no file system policy, and without one EFS lets every client that reaches a mount target mount its root, as root, without TLS',
    ];
  }
  let document: unknown;
  try {
    document = JSON.parse(policy);
  } catch {
    return ['its file system policy is not valid JSON'];
  }
  if (!isObject(document)) return ['its file system policy is not a JSON object'];
  const rawStatements =
    document.Statement === undefined
      ? []
      : Array.isArray(document.Statement)
        ? document.Statement
        : [document.Statement];
  const gaps: string[] = [];
  const statements: ReadStatement[] = [];
  rawStatements.forEach((raw: unknown, index) => {
    if (!isObject(raw)) {
      gaps.push(`statement ${index + 1} is not a JSON object`);
      return;
    }
    statements.push(readStatement(raw, index, fileSystemArn));
  });

  if (!statements.some(deniesPlainTransport)) {
    gaps.push(
      'no statement denies every principal ("*") ClientMount, ClientWrite and ClientRootAccess on the file system when aws:SecureTransport is false, so clients may mount without TLS',
    );
  }

  for (const statement of statements) {
    if (statement.effect !== 'Allow' && statement.effect !== 'Deny') {
      gaps.push(`${statement.label} has an Effect that is neither Allow nor Deny`);
      continue;
    }
    if (statement.effect === 'Deny') continue;
    if (!statement.anonymous && !statement.principalUnclear) continue;
    const { covers } = statement;
    if (!covers) {
      gaps.push(`${statement.label} is an Allow whose Action or NotAction cannot be read`);
      continue;
    }
    if (statement.conditionUnreadable) {
      gaps.push(`${statement.label} is an Allow whose Condition cannot be read`);
      continue;
    }
    if (confinedToAccessPoints(statement)) continue;
    const who = statement.anonymous
      ? 'every client'
      : 'clients it does not name (NotPrincipal, or no Principal)';
    for (const action of [CLIENT_ROOT_ACCESS, CLIENT_MOUNT]) {
      if (!covers(action)) continue;
      if (statements.some((other) => deniesOutright(other, action))) continue;
      gaps.push(
        `${statement.label} allows ${SHORT_NAMES[action]} to ${who} without an elasticfilesystem:AccessPointArn condition, so ${action === CLIENT_MOUNT ? 'a client can mount the file system root' : 'a client can act as root'} without an access point`,
      );
    }
  }
  return gaps;
}
