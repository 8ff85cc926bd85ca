// What one POST /volumes costs when nothing else runs: its latency, the AWS calls the API makes
// for it (traced on the handlers' own SDK clients), a dry run (the checks alone), and the cost
// of what the local Step Functions endpoint does for each StartExecution.
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { LocalStack } from '../local/stack.ts';
import { loadDefinition, PROVISION_ASL } from '../local/step-functions/local-workflow.ts';
import { createVolume, waitUntilReady } from './local-api.ts';
import type { SdkCallTrace } from './sdk-calls.ts';
import { median } from './stats.ts';

export interface CallShare {
  readonly command: string;
  /** Calls per POST. */
  readonly perPost: number;
  readonly p50Ms: number;
}

export interface PostAnatomy {
  readonly posts: number;
  readonly postP50Ms: number;
  readonly dryRunP50Ms: number;
  /** The API's AWS calls for one POST, in the order first made. */
  readonly calls: CallShare[];
  /**
   * local/step-functions/local-workflow.ts builds a StateMachine (and validates the ASL) for
   * every execution it starts: the median time of that, synchronous on the event loop.
   */
  readonly stateMachineConstructionMs: number;
}

export async function measurePostAnatomy(
  stack: LocalStack,
  trace: SdkCallTrace,
  options: { namespace: string; posts: number },
): Promise<PostAnatomy> {
  const latencies: number[] = [];
  const byCommand = new Map<string, number[]>();
  for (let index = 0; index < options.posts; index++) {
    const name = `anatomy-${index}`;
    let answeredAt = Number.POSITIVE_INFINITY;
    const { calls } = await trace.during(async () => {
      const created = await createVolume(
        stack.api,
        { clusterName: stack.clusterName, namespace: options.namespace, name },
        name,
      );
      answeredAt = performance.now();
      latencies.push(created.ms);
      // Let the workflow finish before the next POST, so each POST meets an idle stack.
      await waitUntilReady(stack.api, created.id, { pauseMs: 20, timeoutMs: 60_000 });
    });
    // GETs of the wait are API calls too: keep only those made before the POST answered.
    for (const call of calls) {
      if (call.origin !== 'api' || call.startedAt > answeredAt) continue;
      byCommand.set(call.command, [...(byCommand.get(call.command) ?? []), call.ms]);
    }
  }
  const dryRuns: number[] = [];
  for (let index = 0; index < options.posts; index++) {
    const started = performance.now();
    const response = await fetch(`${stack.api}/volumes`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        clusterName: stack.clusterName,
        namespace: options.namespace,
        name: `dry-run-${index}`,
        dryRun: true,
      }),
    });
    await response.text();
    dryRuns.push(performance.now() - started);
  }
  const constructions: number[] = [];
  for (let index = 0; index < 5; index++) {
    const { definition } = loadDefinition(PROVISION_ASL);
    const started = performance.now();
    // As runLocalWorkflow does for each execution.
    new StateMachine(definition as unknown as StateMachineDefinition, {
      validationOptions: { checkPaths: true, checkArn: true },
    });
    constructions.push(performance.now() - started);
  }
  return {
    posts: options.posts,
    postP50Ms: median(latencies),
    dryRunP50Ms: median(dryRuns),
    calls: [...byCommand].map(([command, samples]) => ({
      command,
      perPost: samples.length / options.posts,
      p50Ms: median(samples),
    })),
    stateMachineConstructionMs: median(constructions),
  };
}
