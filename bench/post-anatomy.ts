// What one POST /volumes costs when nothing else runs: its latency, the AWS calls createVolume
// makes for it (timed at the door every function's AWS calls cross), a dry run (the checks
// alone), and what building the provisioning StateMachine costs (once per ASL file).
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { timeAwsCalls } from '../local/lambda/aws-call-recorder.ts';
import type { LocalStack } from '../local/stack.ts';
import { loadDefinition, PROVISION_ASL } from '../local/step-functions/local-workflow.ts';
import { createVolume, waitUntilReady } from './local-api.ts';
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
  /** createVolume's AWS calls for one POST, in the order first made (arrival to answer). */
  readonly calls: CallShare[];
  /**
   * What building a StateMachine (and validating the ASL) costs, synchronous on the event loop:
   * local/step-functions/local-workflow.ts does it once per ASL file, not per execution.
   */
  readonly stateMachineConstructionMs: number;
}

export async function measurePostAnatomy(
  stack: LocalStack,
  options: { namespace: string; posts: number },
): Promise<PostAnatomy> {
  const latencies: number[] = [];
  const byCommand = new Map<string, number[]>();
  for (let index = 0; index < options.posts; index++) {
    const name = `anatomy-${index}`;
    const timing = timeAwsCalls();
    const created = await createVolume(
      stack.api,
      { clusterName: stack.clusterName, namespace: options.namespace, name },
      name,
    ).finally(() => {
      for (const call of timing.stop()) {
        if (call.functionName !== 'createVolume') continue;
        byCommand.set(call.operation, [...(byCommand.get(call.operation) ?? []), call.ms]);
      }
    });
    latencies.push(created.ms);
    // Let the workflow finish before the next POST, so each POST meets an idle stack.
    await waitUntilReady(stack.api, created.id, { pauseMs: 20, timeoutMs: 60_000 });
  }
  if (byCommand.size === 0) throw new Error('the door timed no AWS call of createVolume');
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
    // As local-workflow.ts does, once per ASL file.
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
