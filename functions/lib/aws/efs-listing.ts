import {
  type AccessPointDescription,
  DescribeAccessPointsCommand,
  DescribeFileSystemsCommand,
  type EFSClient,
  type FileSystemDescription,
} from '@aws-sdk/client-efs';

// The pages are walked with `send` alone, the requests the SDK's paginators make (the token of
// each answer in the next request), not with the paginators themselves: those refuse any
// client that is not an EFSClient instance, and the API hands its rarer paths a stand-in that
// loads the client at its first send (functions/commons/clients/loaded-at-first-send.ts).

/** Every file system of the account and region, across pages. */
export async function allFileSystems(efs: EFSClient): Promise<FileSystemDescription[]> {
  const found: FileSystemDescription[] = [];
  let Marker: string | undefined;
  do {
    const page = await efs.send(new DescribeFileSystemsCommand({ Marker }));
    found.push(...(page.FileSystems ?? []));
    Marker = page.NextMarker;
  } while (Marker);
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
  let NextToken: string | undefined;
  do {
    const page = await efs.send(new DescribeAccessPointsCommand({ ...input, NextToken }));
    for (const point of page.AccessPoints ?? []) collect(point);
    NextToken = page.NextToken;
  } while (NextToken);
}

/** Every access point of the account and region, across pages. */
export async function allAccessPoints(efs: EFSClient): Promise<AccessPointDescription[]> {
  const found: AccessPointDescription[] = [];
  await eachAccessPoint(efs, (point) => found.push(point));
  return found;
}
