import { describe, expect, it } from 'vitest';
import { AwsModel, type ModelRequest } from '../../local/aws-model/model.ts';

const JOB = 'C0FFEE00-0000-0000-0000-000000000001';
const call = { service: 'backup', operation: 'rest', protocol: 'rest-json' } as const;

function request(method: string, path: string): ModelRequest {
  return {
    call: { ...call, operation: `${method} ${path}` },
    method,
    url: new URL(path, 'http://moto'),
    body: Buffer.from(''),
  };
}

function answer(body: Record<string, unknown>) {
  return { status: 200, headers: {}, body: Buffer.from(JSON.stringify(body)) };
}

describe('the AWS model of an AWS Backup restore job', () => {
  it('keeps the job RUNNING, without its file system, for restoreJobRunning, then gives moto’s answer', () => {
    // Prepare
    let now = 0;
    const model = new AwsModel({
      timeScale: 1,
      clock: () => now,
      durations: { restoreJobRunning: 300 },
    });
    const done = {
      RestoreJobId: JOB,
      Status: 'COMPLETED',
      CreatedResourceArn: 'arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-1',
      CompletionDate: 1,
    };
    const describe = request('GET', `/restore-jobs/${JOB}`);

    // Act
    model.after(request('PUT', '/restore-jobs'), answer({ RestoreJobId: JOB }));
    now = 299_000;
    const early = JSON.parse(model.after(describe, answer(done)).body.toString('utf8'));
    now = 300_000;
    const late = JSON.parse(model.after(describe, answer(done)).body.toString('utf8'));

    // Assess
    expect(model.rewrites(describe.call)).toBe(true);
    expect(early).toEqual({ RestoreJobId: JOB, Status: 'RUNNING' });
    expect(late).toEqual(done);
  });

  it('leaves a job it did not see started as moto says', () => {
    // Prepare
    const model = new AwsModel({ timeScale: 1, clock: () => 0 });
    const done = { RestoreJobId: JOB, Status: 'FAILED' };

    // Act
    const seen = model.after(request('GET', `/restore-jobs/${JOB}`), answer(done));

    // Assess
    expect(JSON.parse(seen.body.toString('utf8'))).toEqual(done);
  });
});
