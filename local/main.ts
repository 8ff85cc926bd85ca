// `npm start`: the whole service on this machine, no AWS account, no Docker.
import { parseArgs } from 'node:util';
import { requestSendersFromEnvironment } from '../functions/lib/events/request-senders.ts';
import { accessPolicyFromEnvironment } from '../functions/lib/service/access-policy.ts';
import { timeScaleFromEnvironment } from './aws-model/model.ts';
import { LOCAL_ACCOUNT } from './credentials.ts';
import type { FaultProxyOptions } from './fault-proxy.ts';
import { healthCheckSecondsFromEnvironment } from './health-schedule.ts';
import { startLocalStack } from './stack.ts';

// --source runs the TypeScript sources instead of the bundles that deploy (for debugging).
const { values: flags } = parseArgs({
  options: {
    source: { type: 'boolean', default: false },
    fast: { type: 'boolean', default: false },
  },
  strict: false,
});

// The AWS model paces moto as AWS would (local/README.md, "The AWS model"): a tenth of AWS's time by
// default, so each step takes its turn in about 20 s; `-- --fast` (or LOCAL_AWS_TIME_SCALE=0)
// for instant, LOCAL_AWS_TIME_SCALE=1 for AWS's own pace.
const timeScale = flags.fast
  ? 0
  : process.env.LOCAL_AWS_TIME_SCALE
    ? timeScaleFromEnvironment()
    : 0.1;

// The functions' CloudWatch metrics (EMF lines) would drown the log: on with POWERTOOLS_METRICS_DISABLED=false.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

// LOCAL_AWS_FAULTS='{"seed":1,"faults":[{"kind":"throttling","rate":0.2}]}': see local/fault-proxy.ts
const faults = process.env.LOCAL_AWS_FAULTS;
// ACCESS_POLICY: the same JSON as the stack's setting; unset, anyone may use any namespace.
let policy: ReturnType<typeof accessPolicyFromEnvironment> | undefined;
try {
  policy = process.env.ACCESS_POLICY
    ? accessPolicyFromEnvironment(process.env.ACCESS_POLICY)
    : undefined;
} catch (error) {
  process.stderr.write(`ACCESS_POLICY is not a valid policy: ${(error as Error).message}\n`);
  process.exit(2);
}
// REQUEST_SENDERS: the same JSON as the stack's requestSenders. The stack accepts no request
// event until it is set; locally, the developer's own account sends them (POST /local/events),
// so it is named unless REQUEST_SENDERS says otherwise (`[]` tries the stack's closed default).
let requestSenders: readonly string[];
try {
  requestSenders =
    process.env.REQUEST_SENDERS === undefined
      ? [LOCAL_ACCOUNT]
      : requestSendersFromEnvironment(process.env.REQUEST_SENDERS || '[]');
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}
// The drift check of every READY volume: every 10 s (the stack: every 15 minutes).
const healthCheckSeconds = healthCheckSecondsFromEnvironment(10);
if (!flags.source) process.stdout.write('Bundling the functions as the stack deploys them…\n');
const stack = await startLocalStack({
  stateDirectory: '.local',
  functions: flags.source ? 'source' : 'bundled',
  ...(policy ? { policy } : {}),
  requestSenders,
  awsModel: { timeScale },
  ...(faults ? { awsFaults: JSON.parse(faults) as FaultProxyOptions } : {}),
  healthCheckSeconds,
  // Two ready file systems for `demo`: a plain request takes one and is READY in seconds.
  warmPool: { demo: 2 },
  onHealthCheckError: (error) =>
    process.stderr.write(`scheduled health check failed: ${(error as Error).message}\n`),
});
const api = stack.api;
// Fill the warm pool now rather than at the first tick.
void stack.healthSchedule?.runNow();
process.stdout.write(`
EFS volumes for EKS Fargate: local mode is running.

  API              ${api}
  AWS              ${stack.awsLayer}   (moto behind the AWS model, time scale ${timeScale})
  Kubernetes API   ${stack.kube}   (cluster "${stack.clusterName}", namespaces default, team-a, team-b)
  Step Functions   ${stack.stepFunctions}
  Functions        ${stack.functions === 'bundled' ? 'the bundles that deploy (.build/functions)' : 'the TypeScript sources (--source)'}
  Event senders    ${requestSenders.join(', ') || 'none: every request event is rejected'}   (REQUEST_SENDERS)
  Drift check      ${healthCheckSeconds > 0 ? `every ${healthCheckSeconds} s (LOCAL_HEALTH_CHECK_SECONDS)` : 'off (LOCAL_HEALTH_CHECK_SECONDS=0)'}
  Warm pool        2 ready file systems for "demo", refilled by the scheduled check (WARM_POOL)

  Endpoints are in .local/endpoints.json; kubectl works with KUBECONFIG=.local/kubeconfig.

Try it:
  curl -s -X POST ${api}/volumes -H 'Content-Type: application/json' -H 'Idempotency-Key: demo-1' \\
    -d '{"clusterName":"demo","namespace":"team-a","name":"shared-data"}'
  curl -s ${api}/volumes/<id>
  curl -s ${api}/volumes/<id>/manifests
  curl -s -X POST ${api}/volumes/<id>/check
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
