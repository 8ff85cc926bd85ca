import { beforeAll, describe, expect, it } from 'vitest';
import type { AccessPolicy } from '../../functions/lib/service/access-policy.ts';
import { listVolumes } from '../../functions/lib/service/read-volumes.ts';
import { newVolumeId } from '../../functions/lib/volume/names.ts';
import { type Volume, VolumeRecordStore } from '../../functions/lib/volume/record.ts';
import { validateVolumeRequest } from '../../functions/lib/volume/request.ts';
import { documents, uniqueName, useVolumesTable } from '../support/workflow-harness.ts';

const CALLER = 'arn:aws:iam::123456789012:role/team-a';
const POLICY: AccessPolicy = {
  rules: [{ caller: CALLER, cluster: 'paging', namespaces: ['team-a'] }],
};

let records: VolumeRecordStore;
const visibleIds: string[] = [];

/** Every page of GET /volumes as `caller` sees it, following nextToken. */
async function allPages(query: { clusterName?: string; namespace?: string; limit: number }) {
  const pages: Array<{ items: Volume[]; nextToken?: string }> = [];
  let nextToken: string | undefined;
  do {
    const page = await listVolumes(
      { records, policy: POLICY },
      { ...query, ...(nextToken ? { nextToken } : {}) },
      CALLER,
    );
    pages.push(page);
    nextToken = page.nextToken;
  } while (nextToken && pages.length < 50);
  return pages;
}

beforeAll(async () => {
  // Prepare: 5 volumes the caller may see among 12 it may not, one second apart
  await useVolumesTable();
  let tick = Date.parse('2026-01-01T00:00:00Z');
  records = new VolumeRecordStore(documents, process.env.VOLUMES_TABLE ?? '', () => {
    tick += 1000;
    return new Date(tick);
  });
  for (let index = 0; index < 17; index += 1) {
    const namespace = index % 3 === 0 && visibleIds.length < 5 ? 'team-a' : 'team-b';
    const id = newVolumeId();
    await records.create(
      id,
      validateVolumeRequest({ clusterName: 'paging', namespace, name: uniqueName('v') }),
    );
    if (namespace === 'team-a') visibleIds.unshift(id);
  }
});

describe('GET /volumes paging under authorization', () => {
  it('reads the namespace the caller may see: full pages, newest first, when nothing is filtered', async () => {
    // Act
    const pages = await allPages({ limit: 2 });

    // Assess
    for (const page of pages.slice(0, -1)) {
      expect(page.items).toHaveLength(2);
      expect(page.nextToken).toBeDefined();
    }
    const items = pages.flatMap((page) => page.items);
    expect(items.map((volume) => volume.id)).toEqual(visibleIds);
  });

  it('reads one namespace through its index, newest first, in full pages', async () => {
    // Act
    const pages = await allPages({ clusterName: 'paging', namespace: 'team-a', limit: 2 });

    // Assess
    for (const page of pages.slice(0, -1)) expect(page.items).toHaveLength(2);
    expect(pages.flatMap((page) => page.items.map((volume) => volume.id))).toEqual(visibleIds);
  });
});
