import { dump, load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import {
  buildSecurityGroupPolicy,
  buildVolumeManifests,
} from '../../functions/lib/kube/manifests.ts';
import { renderManifests } from '../../functions/lib/kube/manifests-yaml.ts';
import { toYaml } from '../../functions/lib/kube/yaml.ts';
import { VOLUME_ID, volumeSpec } from './fixtures.ts';

/** What the service rendered with js-yaml before functions/lib/kube/yaml.ts. */
const jsYaml = (value: unknown) => dump(value, { lineWidth: -1, noRefs: true });

const specs = [
  volumeSpec(),
  volumeSpec({ capacity: '20Gi', reclaimPolicy: 'Delete', storageClassName: 'efs-shared' }),
  volumeSpec({ namespace: 'on', name: 'true', storageClassName: '1e3' }),
  volumeSpec({ namespace: 'n', name: '0750', capacity: '1Ti' }),
];

/** Strings that a YAML reader could take for something else, or that need quotes or escapes. */
const awkward = [
  '',
  ' ',
  'a b',
  ' lead',
  'trail ',
  'a: b',
  'a:b',
  'a #b',
  '#a',
  '-a',
  '- a',
  '? a',
  'x:',
  'true',
  'False',
  'yes',
  'No',
  'on',
  'OFF',
  'y',
  'N',
  'null',
  '~',
  '<<',
  '0',
  '0750',
  '08',
  '0x1f',
  '0o17',
  '0b101',
  '1e3',
  '1.5',
  '.5',
  '+.5',
  '-1',
  '1_000',
  '.inf',
  '-.Inf',
  '.nan',
  '12:30',
  '190:20:30',
  '2001-12-14',
  '2001-12-14t21:59:43.10-05:00',
  "it's",
  'x"y',
  'x\\y',
  'a\nb',
  'tab\there',
  '\u0000',
  'a\u2028b',
  '\ufeffbom',
  'é',
  '日本',
  '@x',
  '`x',
  '!x',
  '&x',
  '*x',
  '%x',
  '|x',
  '>x',
  '[x',
  '{x',
  ',x',
  'x,',
  'x]',
  '---',
  '...',
  '<fileSystemId>',
  'fs-0123456789abcdef0::fsap-0fedcba9876543210',
  'app.kubernetes.io/managed-by',
];

describe('toYaml', () => {
  it('writes the manifests of a volume as js-yaml did, byte for byte', () => {
    // Prepare
    const manifests = specs.flatMap((spec) => [
      ...Object.values(
        buildVolumeManifests({
          volumeId: VOLUME_ID,
          spec,
          fileSystemId: 'fs-0123456789abcdef0',
          accessPointId: 'fsap-0fedcba9876543210',
        }),
      ),
      buildSecurityGroupPolicy({
        namespace: spec.namespace,
        clientSecurityGroupId: 'sg-0client0000000000',
        clusterSecurityGroupId: 'sg-0cluster000000000',
      }),
    ]);

    // Act
    const mismatched = manifests.filter((manifest) => toYaml(manifest) !== jsYaml(manifest));

    // Assess
    expect(manifests.length).toBeGreaterThan(8);
    expect(mismatched).toEqual([]);
  });

  it('renders a dry run with the ids it does not know yet as js-yaml did', () => {
    // Act
    const yaml = renderManifests(VOLUME_ID, specs[0] as (typeof specs)[0]);

    // Assess
    const manifests = Object.values(
      buildVolumeManifests({
        volumeId: VOLUME_ID,
        spec: specs[0] as (typeof specs)[0],
        fileSystemId: '<fileSystemId>',
        accessPointId: '<accessPointId>',
      }),
    );
    expect(yaml).toBe(manifests.map(jsYaml).join('---\n'));
  });

  it('writes any string, as key or value, so that it reads back the same', () => {
    // Prepare
    const values = awkward.map((text) => ({
      [text]: text,
      list: [text, { text }],
      nested: { deeper: [[text]] },
    }));

    // Act
    const readBack = values.map((value) => load(toYaml(value)));

    // Assess
    expect(readBack).toEqual(values);
  });

  it('quotes what js-yaml quotes, YAML 1.1 booleans and numbers included, and leaves the rest plain', () => {
    // Act
    const quoted = awkward.filter((text) => /^['"]/.test(toYaml(text)));
    const quotedByJsYaml = awkward.filter((text) => /^['"|]/.test(jsYaml(text)));

    // Assess: never plain where js-yaml quotes (it may quote more, never less)
    expect(quotedByJsYaml.filter((text) => !quoted.includes(text))).toEqual([]);
    expect(toYaml('efs-volumes')).toBe('efs-volumes\n');
  });

  it('writes empty collections, numbers, booleans and null as js-yaml does', () => {
    // Prepare
    const value = {
      a: [],
      b: {},
      c: [[1, 2], [], [{}]],
      d: [{ x: 1, y: [true, false, null] }],
      e: 1.5,
      f: -3,
      g: 0,
    };

    // Act
    const yaml = toYaml(value);

    // Assess
    expect(yaml).toBe(jsYaml(value));
  });
});
