// `npm start`: the whole service on this machine, no AWS account, no Docker.
import type { FaultProxyOptions } from './fault-proxy.ts';
import { startLocalStack } from './stack.ts';

// moto's mount targets are available at once and there is no DNS to wait for: by default local
// mode does not wait out the 90 s that AWS needs (set it to see the wait).
process.env.MOUNT_TARGET_DNS_DELAY_SECONDS ??= '0';

// LOCAL_AWS_FAULTS='{"seed":1,"faults":[{"kind":"throttling","rate":0.2}]}': see local/fault-proxy.ts
const faults = process.env.LOCAL_AWS_FAULTS;
const stack = await startLocalStack({
  stateDirectory: '.local',
  ...(faults ? { awsFaults: JSON.parse(faults) as FaultProxyOptions } : {}),
});
const api = stack.api;
process.stdout.write(`
EFS volumes for EKS Fargate: local mode is running.

  API              ${api}
  AWS (moto)       ${stack.aws}
  Kubernetes API   ${stack.kube}   (cluster "${stack.clusterName}", namespaces default, team-a, team-b)
  Step Functions   ${stack.stepFunctions}

  Endpoints are in .local/endpoints.json; kubectl works with KUBECONFIG=.local/kubeconfig.

Try it:
  curl -s -X POST ${api}/volumes -H 'Content-Type: application/json' -H 'Idempotency-Key: demo-1' \\
    -d '{"clusterName":"demo","namespace":"team-a","name":"shared-data"}'
  curl -s ${api}/volumes/<id>
  curl -s ${api}/volumes/<id>/manifests
  KUBECONFIG=.local/kubeconfig kubectl get pv,pvc,storageclass,csidriver -A
  curl -s -X DELETE ${api}/volumes/<id>
  curl -s -X POST ${api}/local/events -H 'Content-Type: application/json' \\
    -d '{"Source":"efs-volumes.requests","DetailType":"Volume Provision Requested","Detail":{"clusterName":"demo","namespace":"team-b","name":"cache"}}'

Ctrl-C stops everything.
`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`\n${signal}: stopping…\n`);
  await stack.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
