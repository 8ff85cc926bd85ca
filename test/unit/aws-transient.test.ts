import { EFSServiceException, ThrottlingException } from '@aws-sdk/client-efs';
import { describe, expect, it } from 'vitest';
import { errorName, isTransientError } from '../../functions/lib/aws/transient.ts';

function named(name: string, fields: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} happened`), { name }, fields);
}

describe('isTransientError', () => {
  it.each([
    'ThrottlingException',
    'Throttling',
    'TooManyRequestsException',
    'RequestLimitExceeded',
    'ProvisionedThroughputExceededException',
    'SlowDown',
    'ServiceUnavailable',
    'InternalServerError',
    'RequestTimeout',
    'TimeoutError',
  ])('treats %s as transient', (name) => {
    // Act and Assess
    expect(isTransientError(named(name))).toBe(true);
  });

  it.each(['ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN'])(
    'treats a dropped connection (%s) as transient',
    (code) => {
      // Prepare: Node socket errors carry the code, not a name
      const error = Object.assign(new Error('socket hang up'), { code });

      // Act and Assess
      expect(isTransientError(error)).toBe(true);
    },
  );

  it('treats an error the SDK marked $retryable as transient', () => {
    // Prepare
    const error = named('SomethingNew', { $retryable: { throttling: false } });

    // Act and Assess
    expect(isTransientError(error)).toBe(true);
  });

  it.each([500, 502, 503, 504, 429])('treats HTTP status %i as transient', (httpStatusCode) => {
    // Prepare
    const error = named('UnknownError', { $metadata: { httpStatusCode } });

    // Act and Assess
    expect(isTransientError(error)).toBe(true);
  });

  it('treats an SDK service exception with a throttling name as transient', () => {
    // Prepare
    const error = new ThrottlingException({
      message: 'slow down',
      $metadata: {},
      ErrorCode: 'ThrottlingException',
    });

    // Act and Assess
    expect(isTransientError(error)).toBe(true);
  });

  it.each([
    [
      'ValidationException with status 400',
      named('ValidationException', { $metadata: { httpStatusCode: 400 } }),
    ],
    [
      'AccessDeniedException with status 403',
      named('AccessDeniedException', { $metadata: { httpStatusCode: 403 } }),
    ],
    ['a plain Error', new Error('boom')],
    ['a string', 'ThrottlingException'],
    ['null', null],
    ['undefined', undefined],
  ])('does not treat %s as transient', (_what, error) => {
    // Act and Assess
    expect(isTransientError(error)).toBe(false);
  });

  it('does not treat a client fault from an SDK exception class as transient', () => {
    // Prepare
    const error = new EFSServiceException({
      name: 'ValidationException',
      $fault: 'client',
      message: 'bad input',
      $metadata: { httpStatusCode: 400 },
    });

    // Act and Assess
    expect(isTransientError(error)).toBe(false);
  });
});

describe('errorName', () => {
  it('prefers the name, then the code, then "Error"', () => {
    // Act and Assess
    expect(errorName(named('FileSystemNotFound'))).toBe('FileSystemNotFound');
    expect(errorName({ code: 'ECONNRESET' })).toBe('ECONNRESET');
    expect(errorName({})).toBe('Error');
    expect(errorName('FileSystemNotFound')).toBe('Error');
    expect(errorName(undefined)).toBe('Error');
  });
});
