import { describe, expect, it } from 'vitest';
import { volumeTags } from '../../functions/lib/aws/tags.ts';
import { VOLUME_ID, volumeSpec } from './fixtures.ts';

describe('volumeTags', () => {
  it("adds the volume id, the cluster and a Name to the caller's tags", () => {
    // Prepare
    const spec = volumeSpec({ tags: { team: 'storage', 'cost-center': '42' } });

    // Act
    const tags = volumeTags(VOLUME_ID, spec);

    // Assess
    expect(tags).toEqual([
      { Key: 'team', Value: 'storage' },
      { Key: 'cost-center', Value: '42' },
      { Key: 'Name', Value: 'demo/team-a/shared-data' },
      { Key: 'efs-volumes:volume-id', Value: VOLUME_ID },
      { Key: 'efs-volumes:cluster', Value: 'demo' },
    ]);
  });

  it("lets our volume-id tag win over a caller's tag of the same key", () => {
    // Prepare
    const spec = volumeSpec({
      tags: { 'efs-volumes:volume-id': 'vol-someone-else', team: 'storage' },
    });

    // Act
    const tags = volumeTags(VOLUME_ID, spec);

    // Assess
    const volumeIdTags = tags.filter((tag) => tag.Key === 'efs-volumes:volume-id');
    expect(volumeIdTags).toEqual([{ Key: 'efs-volumes:volume-id', Value: VOLUME_ID }]);
    expect(tags).toContainEqual({ Key: 'team', Value: 'storage' });
  });

  it("lets our cluster tag win over a caller's tag of the same key", () => {
    // Prepare
    const spec = volumeSpec({ tags: { 'efs-volumes:cluster': 'other' } });

    // Act
    const tags = volumeTags(VOLUME_ID, spec);

    // Assess
    expect(tags.filter((tag) => tag.Key === 'efs-volumes:cluster')).toEqual([
      { Key: 'efs-volumes:cluster', Value: 'demo' },
    ]);
  });

  it('gives every key once', () => {
    // Prepare
    const spec = volumeSpec({ tags: { Name: 'mine', 'efs-volumes:volume-id': 'x' } });

    // Act
    const keys = volumeTags(VOLUME_ID, spec).map((tag) => tag.Key);

    // Assess
    expect(new Set(keys).size).toBe(keys.length);
  });
});
