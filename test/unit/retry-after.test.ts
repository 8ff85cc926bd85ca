// `Retry-After` on a volume still changing: which answers carry it (the lifecycle's unsettled
// statuses), how the client reads it, and that the CLI's --wait waits what it asks.
import { afterEach, describe, expect, it } from 'vitest';
import { waitForVolume } from '../../cli/volume-progress.ts';
import { createVolumesClient, retryAfterSecondsOf, type Volume } from '../../client/index.ts';
import { volumeHeaders } from '../../functions/lib/http/http.ts';
import { statusesWhere, VOLUME_STATUSES } from '../../functions/lib/volume/lifecycle.ts';

const ID = 'vol-0123456789abcdef0123';

afterEach(() => {
  delete process.env.RETRY_AFTER_SECONDS;
});

describe('volumeHeaders', () => {
  it('asks for a pause while the status changes, and none once it settled', () => {
    // Act
    const byStatus = Object.fromEntries(
      Object.keys(VOLUME_STATUSES).map((status) => [
        status,
        volumeHeaders({ id: ID, status: status as Volume['status'] })['Retry-After'],
      ]),
    );

    // Assess: the default 2 s for each unsettled status, nothing for a settled one
    for (const status of statusesWhere('settled', false)) expect(byStatus[status]).toBe('2');
    for (const status of statusesWhere('settled')) expect(byStatus[status]).toBeUndefined();
    expect(statusesWhere('settled', false)).toEqual(
      expect.arrayContaining(['PENDING', 'PROVISIONING', 'DELETING', 'REPAIRING']),
    );
  });

  it('sends whole seconds of RETRY_AFTER_SECONDS, at least 1, and the Location when asked', () => {
    // Arrange
    process.env.RETRY_AFTER_SECONDS = '0.3';

    // Act
    const headers = volumeHeaders({ id: ID, status: 'PENDING' }, { location: true });
    process.env.RETRY_AFTER_SECONDS = '4.5';
    const slower = volumeHeaders({ id: ID, status: 'DELETING' });

    // Assess
    expect(headers).toEqual({ Location: `/volumes/${ID}`, 'Retry-After': '1' });
    expect(slower).toEqual({ 'Retry-After': '5' });
    expect(volumeHeaders({ id: ID, status: 'READY' }, { location: true })).toEqual({
      Location: `/volumes/${ID}`,
    });
  });
});

describe('retryAfterSecondsOf', () => {
  it('reads delay-seconds and HTTP dates, and nothing else', () => {
    // Arrange
    const inTenSeconds = new Date(Date.now() + 9_500).toUTCString();

    // Act / Assess
    expect(retryAfterSecondsOf('3')).toBe(3);
    expect(retryAfterSecondsOf(' 0 ')).toBe(0);
    expect(retryAfterSecondsOf(inTenSeconds)).toBeGreaterThanOrEqual(8);
    expect(retryAfterSecondsOf(inTenSeconds)).toBeLessThanOrEqual(10);
    expect(retryAfterSecondsOf(new Date(0).toUTCString())).toBe(0);
    expect(retryAfterSecondsOf(null)).toBeUndefined();
    expect(retryAfterSecondsOf('')).toBeUndefined();
    expect(retryAfterSecondsOf('soon')).toBeUndefined();
    expect(retryAfterSecondsOf('-1')).toBeUndefined();
  });
});

describe("the CLI's --wait", () => {
  it("waits each answer's Retry-After, and its own pace when an answer sends none", async () => {
    // Arrange: PROVISIONING asking 3 s, PROVISIONING asking nothing, then READY
    const answers: Array<[Volume['status'], string | undefined]> = [
      ['PROVISIONING', '3'],
      ['PROVISIONING', undefined],
      ['READY', undefined],
    ];
    const asked: string[] = [];
    const fetch = async (request: Request) => {
      asked.push(new URL(request.url).pathname);
      const [status, retryAfter] = answers.shift() ?? ['READY', undefined];
      return Response.json(
        { id: ID, status, steps: {} },
        { headers: retryAfter ? { 'Retry-After': retryAfter } : {} },
      );
    };
    const client = createVolumesClient({
      endpoint: 'http://127.0.0.1:3000',
      signing: 'none',
      fetch,
    });
    const pauses: number[] = [];
    const output: string[] = [];
    const stream = { write: (text: string) => output.push(text) > 0, isTTY: false };

    // Act
    const last = await waitForVolume(client, ID, {
      io: {
        stdout: stream,
        stderr: stream,
        env: {},
        cwd: '/',
        sleep: async (ms) => {
          pauses.push(ms);
        },
      },
      style: { json: false, fancy: false },
      timeoutSeconds: 60,
      pollMilliseconds: 200,
    });

    // Assess
    expect(last.status).toBe('READY');
    expect(asked).toEqual([`/volumes/${ID}`, `/volumes/${ID}`, `/volumes/${ID}`]);
    expect(pauses).toEqual([3000, 200]);
  });
});
