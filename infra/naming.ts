// The one convention between a file's name and a construct's or a workflow's: a step's handler
// `functions/steps/resolve-cluster.ts` is the Lambda `ResolveCluster` and the ASL placeholder
// `${ResolveClusterFunctionArn}`; a cluster `team-a` gives the access entry `TeamA…`.

/** `resolve-cluster` → `ResolveCluster`. */
export function pascalCase(kebab: string): string {
  return kebab
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** `ResolveCluster` → `resolve-cluster`: back from a Lambda's or placeholder's name to its file. */
export function kebabCase(pascal: string): string {
  return pascal.replace(/(?<=[a-z0-9])([A-Z])/g, '-$1').toLowerCase();
}
