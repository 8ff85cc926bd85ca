import { describe, expect, it } from 'vitest';
import { StackNameMissingError, stackName, volumeTags } from '../../functions/lib/aws/tags.ts';
import { VOLUME_ID, volumeSpec } from './fixtures.ts';

describe('volumeTags', () => {
  it("adds the volume id, the cluster, the stack and a Name to the caller's prefixed tags", () => {
    // Prepare
    const spec = volumeSpec({ tags: { team: 'storage', 'cost-center': '42' } });

    // Act
    const tags = volumeTags(VOLUME_ID, spec, 'EfsVolumes-prod');

    // Assess
    expect(tags).toEqual([
      { Key: 'caller:team', Value: 'storage' },
      { Key: 'caller:cost-center', Value: '42' },
      { Key: 'Name', Value: 'demo/team-a/shared-data' },
      { Key: 'efs-volumes:volume-id', Value: VOLUME_ID },
      { Key: 'efs-volumes:cluster', Value: 'demo' },
      { Key: 'efs-volumes:stack', Value: 'EfsVolumes-prod' },
    ]);
  });

  it('tags with the stack named by STACK_NAME by default', () => {
    // Act
    const tags = volumeTags(VOLUME_ID, volumeSpec());

    // Assess: test/support/aws-environment.ts names the stack the IAM tests synthesize
    expect(tags).toContainEqual({ Key: 'efs-volumes:stack', Value: 'EfsVolumes' });
  });

  it('refuses to tag without a stack name, since IAM would refuse the create anyway', () => {
    // Prepare
    const saved = process.env.STACK_NAME;
    delete process.env.STACK_NAME;

    // Act
    let thrown: unknown;
    try {
      stackName();
    } catch (error) {
      thrown = error;
    } finally {
      process.env.STACK_NAME = saved;
    }

    // Assess
    expect(thrown).toBeInstanceOf(StackNameMissingError);
  });

  it("never lets a caller's tag take a key of ours or one outside its prefix", () => {
    // Prepare
    const spec = volumeSpec({
      tags: { 'efs-volumes:stack': 'OtherStack', team: 'admins', Name: 'x' },
    });

    // Act
    const keys = volumeTags(VOLUME_ID, spec, 'EfsVolumes').map((tag) => tag.Key);

    // Assess
    expect(keys.filter((key) => !key.startsWith('efs-volumes:') && key !== 'Name')).toEqual(
      keys.filter((key) => key.startsWith('caller:')),
    );
    expect(volumeTags(VOLUME_ID, spec, 'EfsVolumes')).toContainEqual({
      Key: 'efs-volumes:stack',
      Value: 'EfsVolumes',
    });
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
    expect(tags).toContainEqual({ Key: 'caller:team', Value: 'storage' });
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
