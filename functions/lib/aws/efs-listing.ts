import {
  type AccessPointDescription,
  type EFSClient,
  type FileSystemDescription,
  paginateDescribeAccessPoints,
  paginateDescribeFileSystems,
} from '@aws-sdk/client-efs';

/** Every file system of the account and region, across pages (the SDK's paginator). */
export async function allFileSystems(efs: EFSClient): Promise<FileSystemDescription[]> {
  const found: FileSystemDescription[] = [];
  for await (const page of paginateDescribeFileSystems({ client: efs }, {})) {
    found.push(...(page.FileSystems ?? []));
  }
  return found;
}

/**
 * Every access point of the account and region, or of one file system, across pages, handed to
 * `collect` page by page: a caller that stops on an error keeps what came before it.
 */
export async function eachAccessPoint(
  efs: EFSClient,
  collect: (point: AccessPointDescription) => void,
  fileSystemId?: string,
): Promise<void> {
  const input = fileSystemId ? { FileSystemId: fileSystemId } : {};
  for await (const page of paginateDescribeAccessPoints({ client: efs }, input)) {
    for (const point of page.AccessPoints ?? []) collect(point);
  }
}

/** Every access point of the account and region, across pages. */
export async function allAccessPoints(efs: EFSClient): Promise<AccessPointDescription[]> {
  const found: AccessPointDescription[] = [];
  await eachAccessPoint(efs, (point) => found.push(point));
  return found;
}
