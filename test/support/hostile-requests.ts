// fast-check generators of hostile request bodies for POST /volumes and of EventBridge events
// for POST /local/events: arbitrary JSON, and near-valid requests with one to three mutations.
import fc from 'fast-check';

/** A request body as sent on the wire, with what kind of input it is (for the report). */
export interface HostileBody {
  readonly kind: string;
  readonly text: string;
}

type Body = Record<string, unknown>;
type Mutation = { readonly kind: string; readonly apply: (body: Body) => Body };

const RAW = '\u0001raw-number\u0001';

/** Sets `path` (dotted) as an own data property, so `__proto__` becomes a key, not a prototype. */
function withValue(body: Body, path: string, value: unknown): Body {
  const copy = structuredClone(body);
  const keys = path.split('.');
  let target: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) {
    const next = Object.getOwnPropertyDescriptor(target, key)?.value;
    const child: Record<string, unknown> =
      typeof next === 'object' && next !== null && !Array.isArray(next) ? next : {};
    Object.defineProperty(target, key, {
      value: child,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    target = child;
  }
  Object.defineProperty(target, keys.at(-1) ?? '', {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return copy;
}

function without(body: Body, field: string): Body {
  const copy = structuredClone(body);
  delete copy[field];
  return copy;
}

const FIELDS = [
  'clusterName',
  'namespace',
  'name',
  'posixUser',
  'posixUser.uid',
  'posixUser.gid',
  'posixUser.secondaryGids',
  'rootDirectory',
  'rootDirectory.path',
  'rootDirectory.permissions',
  'performanceMode',
  'throughputMode',
  'provisionedThroughputInMibps',
  'capacity',
  'reclaimPolicy',
  'storageClassName',
  'fileSystemId',
  'tags',
  'dryRun',
] as const;

const STRING_FIELDS = [
  'clusterName',
  'namespace',
  'name',
  'rootDirectory.path',
  'rootDirectory.permissions',
  'capacity',
  'storageClassName',
  'fileSystemId',
  'reclaimPolicy',
  'tags.team',
] as const;

const NASTY_STRINGS = [
  'team\u0000a',
  'team-a\u200b',
  '\u202eteam-a',
  'ｔｅａｍ-ａ',
  't\u0435am-a', // Cyrillic е
  'team-a\n',
  ' team-a',
  'e\u0301',
  '😀',
  '\ud800',
  '\udfff',
  'İ',
  '\u212a', // Kelvin sign, lower-cases to k
  '..',
  '/',
  '%2e%2e',
  'null',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4shell probe, literally
  '${jndi:ldap://127.0.0.1/x}',
  '<script>alert(1)</script>',
  "'; DROP TABLE volumes; --",
  '\\',
  `${'a'.repeat(62)}é`,
];

const NUMBER_LITERALS = [
  '4294967296',
  '4294967295',
  '9007199254740993',
  '-1',
  '1e308',
  '1e400',
  '-1e400',
  '-0',
  '0.5',
  '1.0',
  '123456789012345678901234567890',
  '1E2',
  '0',
];

const PATHS = [
  '..',
  '/..',
  '/a/../b',
  '/team-a/..',
  '//',
  '/',
  '/a//b',
  '/a/',
  '/./a',
  '/a/.',
  'a/b',
  '/a/b/c/d/e',
  `/${'x'.repeat(200)}`,
  '/%2e%2e/etc',
  '/a\\b',
  '/a\u0000b',
  '/.hidden',
  '/team-a/ü',
];

const NOT_DNS = [
  'Team-A',
  '-a',
  'a-',
  'a_b',
  'a.b',
  '',
  'x'.repeat(64),
  'ä',
  ' a',
  'a b',
  '1.2.3.4',
  'kube-system/..',
];

const RESERVED = ['kube-system', 'kube-public', 'kube-node-lease'];
const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype'];

/** Mutations of a valid request, each one a way a caller can be wrong or hostile. */
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.constantFrom(...FIELDS), fc.jsonValue({ maxDepth: 2 })).map(([field, value]) => ({
    kind: 'wrong type',
    apply: (body: Body) => withValue(body, field, value),
  })),
  fc
    .tuple(
      fc.constantFrom(...STRING_FIELDS),
      fc.oneof(
        fc.constantFrom(...NASTY_STRINGS),
        fc.string({ unit: 'binary', maxLength: 20 }),
        fc.string({ unit: 'grapheme', maxLength: 20 }),
      ),
    )
    .map(([field, value]) => ({
      kind: 'odd unicode',
      apply: (body: Body) => withValue(body, field, value),
    })),
  fc
    .tuple(
      fc.constantFrom(
        'posixUser.uid',
        'posixUser.gid',
        'posixUser.secondaryGids',
        'provisionedThroughputInMibps',
      ),
      fc.constantFrom(...NUMBER_LITERALS),
    )
    .map(([field, literal]) => ({
      kind: 'huge or odd number',
      apply: (body: Body) => {
        const value = field === 'posixUser.secondaryGids' ? [RAW] : RAW;
        const marked = withValue(body, field, value);
        if (field === 'provisionedThroughputInMibps') marked.throughputMode = 'provisioned';
        return { [RAW]: literal, ...marked };
      },
    })),
  fc.constantFrom(...PATHS).map((path) => ({
    kind: 'odd path',
    apply: (body: Body) => withValue(body, 'rootDirectory.path', path),
  })),
  fc
    .constantFrom(
      { uid: 0, gid: 1000 },
      { uid: 1000, gid: 0 },
      { uid: 1000, gid: 1000, secondaryGids: [0] },
      { uid: 0, gid: 0 },
    )
    .map((posixUser) => ({
      kind: 'root uid/gid',
      apply: (body: Body) => withValue(body, 'posixUser', posixUser),
    })),
  fc.constantFrom(...RESERVED).map((namespace) => ({
    kind: 'reserved namespace',
    apply: (body: Body) => withValue(body, 'namespace', namespace),
  })),
  fc
    .tuple(
      fc.constantFrom('name', 'namespace', 'storageClassName', 'clusterName'),
      fc.oneof(fc.constantFrom(...NOT_DNS), fc.string({ maxLength: 30 })),
    )
    .map(([field, value]) => ({
      kind: 'not DNS-1123',
      apply: (body: Body) => withValue(body, field, value),
    })),
  fc
    .tuple(fc.constantFrom(...STRING_FIELDS), fc.constantFrom(64, 101, 254, 5000, 17_000))
    .map(([field, length]) => ({
      kind: 'oversized string',
      apply: (body: Body) => withValue(body, field, 'a'.repeat(length)),
    })),
  fc
    .tuple(
      fc.constantFrom('', 'posixUser.', 'rootDirectory.'),
      fc.string({ maxLength: 12 }),
      fc.jsonValue({ maxDepth: 1 }),
    )
    .map(([parent, key, value]) => ({
      kind: 'extra field',
      apply: (body: Body) => withValue(body, `${parent}${key || 'extra'}`, value),
    })),
  fc
    .tuple(
      fc.constantFrom('', 'posixUser.', 'rootDirectory.', 'tags.'),
      fc.constantFrom(...POLLUTION_KEYS),
      fc.constantFrom<unknown>(
        { polluted: 'yes' },
        { prototype: { polluted: 'yes' } },
        'polluted',
        { uid: 0 },
      ),
    )
    .map(([parent, key, value]) => ({
      kind: 'prototype pollution',
      apply: (body: Body) => withValue(body, `${parent}${key}`, value),
    })),
  fc.constantFrom('clusterName', 'namespace', 'name').map((field) => ({
    kind: 'missing field',
    apply: (body: Body) => without(body, field),
  })),
  fc.constantFrom(...FIELDS).map((field) => ({
    kind: 'null',
    apply: (body: Body) => withValue(body, field, null),
  })),
  fc
    .constantFrom<Record<string, unknown>>(
      { 'aws:owner': 'x' },
      Object.fromEntries(Array.from({ length: 41 }, (_, index) => [`k${index}`, 'v'])),
      { team: 'bad\u0000value' },
      { '': 'empty key' },
      { ['k'.repeat(129)]: 'long key' },
      { team: 'v'.repeat(257) },
      { team: 42 },
    )
    .map((tags) => ({ kind: 'bad tags', apply: (body: Body) => withValue(body, 'tags', tags) })),
  fc
    .constantFrom<Body>(
      { throughputMode: 'provisioned' },
      { provisionedThroughputInMibps: 10 },
      { fileSystemId: 'fs-0123456789abcdef0', performanceMode: 'maxIO' },
      { fileSystemId: 'fs-00000000' },
      { dryRun: 'true' },
      { reclaimPolicy: 'delete' },
    )
    .map((fields) => ({
      kind: 'inconsistent fields',
      apply: (body: Body) => ({ ...body, ...fields }),
    })),
);

/** A valid request for the cluster: a dry run nearly always, so that little is created. */
export function validRequest(clusterName: string): fc.Arbitrary<Body> {
  return fc.record(
    {
      clusterName: fc.constant(clusterName),
      namespace: fc.constantFrom('team-a', 'team-b', 'default'),
      name: fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/),
      posixUser: fc.record({
        uid: fc.integer({ min: 1, max: 65_535 }),
        gid: fc.integer({ min: 1, max: 65_535 }),
      }),
      rootDirectory: fc.record(
        {
          path: fc.stringMatching(/^\/[a-z][a-z0-9]{0,8}(\/[a-z][a-z0-9]{0,8}){0,2}$/),
          permissions: fc.constantFrom('0750', '755', '0700'),
        },
        { requiredKeys: [] },
      ),
      reclaimPolicy: fc.constantFrom('Retain', 'Delete'),
      capacity: fc.constantFrom('1Gi', '5Gi', '100Mi'),
      tags: fc.dictionary(
        fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
        fc.stringMatching(/^[a-z0-9]{0,10}$/),
        { maxKeys: 3 },
      ),
      dryRun: fc.oneof(
        { weight: 40, arbitrary: fc.constant(true) },
        { weight: 1, arbitrary: fc.constant(false) },
      ),
    },
    { requiredKeys: ['clusterName', 'namespace', 'name', 'dryRun'] },
  );
}

function serialize(kind: string, body: Body): HostileBody {
  const { [RAW]: literal, ...rest } = body;
  const text = JSON.stringify(rest);
  return {
    kind,
    text: typeof literal === 'string' ? text.replaceAll(JSON.stringify(RAW), literal) : text,
  };
}

/** A near-valid request: a valid one with one to three mutations. */
export function nearValidRequest(clusterName: string): fc.Arbitrary<HostileBody> {
  return fc
    .tuple(validRequest(clusterName), fc.array(mutation, { minLength: 1, maxLength: 3 }))
    .map(([body, mutations]) =>
      serialize(
        mutations.map((entry) => entry.kind).join(' + '),
        mutations.reduce((current, entry) => entry.apply(current), body),
      ),
    );
}

/** Any body a caller could send to POST /volumes. */
export function hostileBody(clusterName: string): fc.Arbitrary<HostileBody> {
  return fc.oneof(
    { weight: 12, arbitrary: nearValidRequest(clusterName) },
    {
      weight: 1,
      arbitrary: validRequest(clusterName).map((body) => serialize('valid', body)),
    },
    {
      weight: 2,
      arbitrary: fc.jsonValue().map((value) => ({
        kind: 'arbitrary JSON',
        text: JSON.stringify(value),
      })),
    },
    {
      weight: 1,
      arbitrary: fc.string({ maxLength: 40 }).map((text) => ({ kind: 'not JSON', text })),
    },
  );
}

/** An EventBridge event (or PutEvents entry) for POST /local/events carrying a hostile detail. */
export function hostileEvent(clusterName: string): fc.Arbitrary<HostileBody> {
  const detail = fc.oneof(
    {
      weight: 10,
      arbitrary: nearValidRequest(clusterName).map((body): unknown => {
        try {
          return JSON.parse(body.text);
        } catch {
          return body.text;
        }
      }),
    },
    { weight: 1, arbitrary: validRequest(clusterName) as fc.Arbitrary<unknown> },
    // a few that provision, since dryRun is refused for events
    {
      weight: 1,
      arbitrary: validRequest(clusterName).map((body): unknown => ({ ...body, dryRun: false })),
    },
    { weight: 1, arbitrary: fc.jsonValue() },
  );
  return fc
    .record({
      form: fc.constantFrom('entry', 'event'),
      source: fc.oneof(
        { weight: 8, arbitrary: fc.constant('efs-volumes.requests') },
        {
          weight: 1,
          arbitrary: fc.constantFrom('efs-volumes', 'aws.events', '', 'EFS-VOLUMES.REQUESTS'),
        },
        { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
      ),
      detailType: fc.oneof(
        { weight: 8, arbitrary: fc.constant('Volume Provision Requested') },
        { weight: 1, arbitrary: fc.constantFrom('Volume Ready', 'volume provision requested', '') },
        { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
      ),
      detail,
      idempotencyKey: fc.option(
        fc.oneof(
          fc.stringMatching(/^[A-Za-z0-9_.:-]{1,20}$/),
          fc.string({ maxLength: 20 }),
          fc.integer(),
          fc.constant('k'.repeat(129)),
          fc.constant(''),
        ),
      ),
      id: fc.option(
        fc.oneof(fc.uuid(), fc.string({ maxLength: 10 }), fc.integer(), fc.constant(null)),
      ),
    })
    .map(({ form, source, detailType, detail: value, idempotencyKey, id }) => {
      const withKey =
        idempotencyKey !== null &&
        typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value)
          ? { ...value, idempotencyKey }
          : value;
      // As EventBridge delivers it: Detail of a PutEvents entry is always a JSON text.
      const event =
        form === 'entry'
          ? { Source: source, DetailType: detailType, Detail: JSON.stringify(withKey) }
          : {
              ...(id !== null ? { id } : {}),
              source,
              'detail-type': detailType,
              detail: withKey,
            };
      return { kind: `${form} event`, text: JSON.stringify(event) };
    });
}
