import { describe, expect, it } from 'vitest';
import { pathsOverlap } from '../../functions/lib/service/shared-paths.ts';

describe('pathsOverlap', () => {
  it.each([
    ['/c/ns/app', '/c/ns/app', true],
    ['/c/ns/app', '/c/ns/app/', true],
    ['/c/ns/app', '/c/ns/app/sub', true],
    ['/c/ns/app/sub', '/c/ns', true],
    ['/', '/c/ns/app', true],
    ['/c/ns/app', '/c/ns/apple', false],
    ['/c/ns/app', '/c/other/app', false],
    ['/dev/ns/app', '/prod/ns/app', false],
  ])('%s and %s overlap: %s', (a, b, expected) => {
    // Act / Assess: in both orders
    expect(pathsOverlap(a, b)).toBe(expected);
    expect(pathsOverlap(b, a)).toBe(expected);
  });
});
