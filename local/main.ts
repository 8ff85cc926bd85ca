// `npm start`: the whole service on this machine, no AWS account, no Docker.
import { timeScaleFromEnvironment } from './aws-model/model.ts';
import type { FaultProxyOptions } from './fault-proxy.ts';
import { startLocalStack } from './stack.ts';

// The AWS model paces moto as AWS would (README, "The AWS model"): a tenth of AWS's time by
// default, so each step takes its turn in about 20 s; `-- --fast` (or LOCAL_AWS_TIME_SCALE=0)
// for instant, LOCAL_AWS_TIME_SCALE=1 for AWS's own pace.
const timeScale = process.argv.includes('--fast')
  ? 0
  : process.env.LOCAL_AWS_TIME_SCALE
    ? timeScaleFromEnvironment()
    : 0.1;

// LOCAL_AWS_FAULTS='{"seed":1,"faults":[{"kind":"throttling","rate":0.2}]}': see local/fault-proxy.ts
const faults = process.env.LOCAL_AWS_FAULTS;
const stack = await startLocalStack({
  stateDirectory: '.local',
  awsModel: { timeScale },
  ...(faults ? { awsFaults: JSON.parse(faults) as FaultProxyOptions } : {}),
});
const api = stack.api;
process.stdout.write(`
EFS volumes for EKS Fargate: local mode is running.

  API              ${api}
  AWS              ${stack.awsLayer}   (moto behind the AWS model, time scale ${timeScale})
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
