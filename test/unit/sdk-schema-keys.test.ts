import { describe, expect, it } from 'vitest';
import { withLiteralKeys } from '../../infra/bundling.ts';

// The shape of an AWS SDK client's dist-es/schemas/schemas_0.js (3.1169).
const SCHEMAS = `const _DS = "DescribeSubnets";
const _xN = "xmlName";
const _it = "item";
const _e = "error";
const _c = "client";
const n0 = "com.amazonaws.ec2";
export var SubnetList = [1, n0, _SL,
    0, [() => Subnet$,
        { [_xN]: _it }]
];
export var Err$ = [-3, n0, _E, { [_e]: _c, [_hE]: 400 }, [], []];
`;

describe('withLiteralKeys', () => {
  it('writes computed keys over the string table as the strings they name', () => {
    // Act
    const rewritten = withLiteralKeys(SCHEMAS);

    // Assess
    expect(rewritten).toContain('{ "xmlName": _it }');
    expect(rewritten).toContain('{ "error": _c,');
    expect(rewritten).not.toContain('[_xN]');
  });

  it('leaves a computed key it has no string for, and the rest of the module, as they are', () => {
    // Act
    const rewritten = withLiteralKeys(SCHEMAS);

    // Assess
    expect(rewritten).toContain('[_hE]: 400');
    expect(rewritten.replace(/"xmlName":/, '[_xN]:').replace(/"error":/, '[_e]:')).toBe(SCHEMAS);
  });

  it('builds the same objects as the computed keys did', () => {
    // Prepare
    const evaluate = (source: string) =>
      new Function(
        `${source.replaceAll('export var', 'var')}; return [SubnetList[4][1], Err$[3]];`,
      ).call(undefined) as unknown;
    const withUndeclared = (source: string) =>
      `const _SL = "SubnetList", _E = "Err", _hE = "httpError", Subnet$ = 1;\n${source}`;

    // Act
    const before = evaluate(withUndeclared(SCHEMAS));
    const after = evaluate(withUndeclared(withLiteralKeys(SCHEMAS)));

    // Assess
    expect(after).toEqual(before);
    expect(after).toEqual([{ xmlName: 'item' }, { error: 'client', httpError: 400 }]);
  });
});
