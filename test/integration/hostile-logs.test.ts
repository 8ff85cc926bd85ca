import { afterAll, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest';
import { logger } from '../../functions/commons/powertools/logger.ts';
import { LOCAL_ACCOUNT } from '../../local/credentials.ts';
import type { LocalStack } from '../../local/stack.ts';
import { startTestStack } from '../support/local-stack-harness.ts';
import { VolumeClient } from '../support/volume-client.ts';

// Before any handler module loads: the Logger reads its level once, when it is created.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  // The EMF lines of the metrics go to the same stream: they must not leak either.
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
});

/** A bearer token of the kind a caller might send, which must never be written anywhere. */
const CALLER_TOKEN =
  'k8s-aws-v1.aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8_QWN0aW9uPUdldENhbGxlcklkZW50aXR5';
const CALLER_SIGNATURE =
  'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20250101/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=0123456789abcdef';

/** What must never appear in a log line, and why. */
const SECRETS: ReadonlyArray<readonly [string, RegExp]> = [
  ['an EKS token', /k8s-aws-v1\./],
  ['a presigned signature', /X-Amz-Signature/i],
  ['a presigned credential', /X-Amz-Credential/i],
  ['a SigV4 Authorization header', /AWS4-HMAC-SHA256/],
  ['a bearer Authorization header', /Bearer /],
  ['a session token', /X-Amz-Security-Token/i],
  ['the secret access key', new RegExp(`\\b${process.env.AWS_SECRET_ACCESS_KEY ?? 'testing'}\\b`)],
  ['the caller signature', /AKIAIOSFODNN7EXAMPLE|0123456789abcdef/],
];

/** Each line that carries a secret, with what it carries. */
function leaks(lines: readonly string[]): string[] {
  return lines.flatMap((line) =>
    SECRETS.filter(([, pattern]) => pattern.test(line)).map(
      ([what]) => `${what}: ${line.slice(0, 300)}`,
    ),
  );
}

let stack: LocalStack;
const written: string[] = [];
const spies: MockInstance[] = [];

function capture(stream: NodeJS.WriteStream): MockInstance {
  return vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
}

beforeAll(async () => {
  // The Logger writes JSON lines with a Console on stdout and stderr.
  spies.push(capture(process.stdout), capture(process.stderr));
  // A sender configured, so the event below is refused for what it is (no account), as before.
  stack = await startTestStack({ requestSenders: [LOCAL_ACCOUNT] });
});

afterAll(async () => {
  await stack?.stop();
  for (const spy of spies) spy.mockRestore();
});

function logLines(): string[] {
  return written.join('').split('\n').filter(Boolean);
}

describe('what the handlers log', () => {
  it('flags a line that carries a token, a signature or the secret key', () => {
    expect(leaks([`{"message":"calling","token":"${CALLER_TOKEN}"}`])).toHaveLength(1);
    expect(leaks(['GET /?X-Amz-Credential=a%2Fb&X-Amz-Signature=c'])).toHaveLength(2);
    expect(leaks(['{"authorization":"Bearer abc"}', '{"key":"testing"}'])).toHaveLength(2);
    expect(leaks(['{"message":"request served","status":200}'])).toEqual([]);
  });

  it('never contains a token, signature or secret through create, READY, delete, DELETED and failures', async () => {
    // Prepare
    const client = new VolumeClient(stack.api);
    const hostileHeaders = {
      'Content-Type': 'application/json',
      Authorization: CALLER_SIGNATURE,
      'X-Amz-Security-Token': 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN',
      'X-Forwarded-Authorization': `Bearer ${CALLER_TOKEN}`,
    };

    // Act: a full life cycle
    const created = await client.create(
      {
        clusterName: stack.clusterName,
        namespace: 'team-a',
        name: 'logged',
        reclaimPolicy: 'Delete',
      },
      'logs-1',
    );
    await stack.stepFunctionsServer.idle();
    const ready = await client.get(created.id);
    await client.delete(created.id);
    await stack.stepFunctionsServer.idle();
    const deleted = await client.get(created.id);

    // Act: failures, some carrying credentials in their headers
    const failures = await Promise.all([
      fetch(`${stack.api}/volumes`, { method: 'POST', headers: hostileHeaders, body: '{"nope":' }),
      fetch(`${stack.api}/volumes`, {
        method: 'POST',
        headers: hostileHeaders,
        body: JSON.stringify({ clusterName: stack.clusterName, namespace: 'nowhere', name: 'x' }),
      }),
      fetch(`${stack.api}/volumes/vol-00000000000000000000`, { headers: hostileHeaders }),
      fetch(`${stack.api}/local/events`, {
        method: 'POST',
        headers: hostileHeaders,
        body: JSON.stringify({
          source: 'efs-volumes.requests',
          'detail-type': 'Volume Provision Requested',
          detail: { token: CALLER_TOKEN },
        }),
      }),
    ]);
    // a workflow that fails at ApplyManifests and rolls back
    stack.emulator.injectFault({ method: 'PATCH', status: 422, times: 20 });
    const failing = await client.create(
      { clusterName: stack.clusterName, namespace: 'team-b', name: 'refused' },
      'logs-2',
    );
    await stack.stepFunctionsServer.idle();
    stack.emulator.clearFaults();
    const failed = await client.get(failing.id);
    const lines = logLines();
    const records = lines.flatMap((line) => {
      try {
        return [JSON.parse(line) as { level?: string; message?: string; service?: string }];
      } catch {
        return [];
      }
    });

    // Assess: the run went as intended, and was logged at the most talkative level
    expect(logger.getLevelName()).toBe('DEBUG');
    expect([ready.status, deleted.status, failed.status]).toEqual(['READY', 'DELETED', 'FAILED']);
    expect(failures.map((response) => response.status)).toEqual([400, 422, 404, 200]);
    expect(
      records.filter((record) => record.service === 'efs-volumes').length,
    ).toBeGreaterThanOrEqual(8);
    // The metrics' EMF lines were written too, so the check below covers them.
    expect(lines.filter((line) => line.includes('"CloudWatchMetrics"')).length).toBeGreaterThan(0);
    expect(records.map((record) => record.message)).toEqual(
      expect.arrayContaining([
        'request served',
        'request refused',
        'request event rejected',
        'step failed',
      ]),
    );
    console.info(
      `logs: ${lines.length} lines captured (${records.length} JSON, levels ${JSON.stringify(
        Object.fromEntries(
          [...new Set(records.map((record) => record.level))].map((level) => [
            level,
            records.filter((record) => record.level === level).length,
          ]),
        ),
      )}), ${leaks(lines).length} with a secret`,
    );

    // Assess: no secret in any of them
    expect(leaks(lines)).toEqual([]);
  });
});
