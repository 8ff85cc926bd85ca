// The volumes table's indexes, named once for the record store, the pool and the stack.

/** Lists every volume newest first: partition `recordType`, sort `createdAt`. */
export const LIST_INDEX = 'byCreation';
/** Lists one namespace's volumes newest first: partition `clusterNamespace`, sort `createdAt`. */
export const NAMESPACE_INDEX = 'byNamespace';
/**
 * Lists one cluster's volumes newest first: partition `clusterName`, sort `createdAt`. Warm
 * pool members carry `clusterName` too, so a read of it keeps `recordType = volume` only.
 */
export const CLUSTER_INDEX = 'byCluster';
