// The request context the IAM evaluation builds for a recorded call: the resource type's
// condition keys, found by matching the call's ARN against the SAR's ARN formats.
import { describe, expect, it } from 'vitest';
import type { FunctionPolicies } from '../support/template-policies.ts';
import { evaluateRecordedCalls, recordedCall } from './evaluate-recorded-calls.ts';

const RECOVERY_POINT =
  'arn:aws:backup:us-east-1:123456789012:recovery-point:04e06dac-cf9b-4628-9734-01f388aa5baa';

/** One function whose only statement allows a read of resources tagged team=a. */
const TEAM_A_ONLY = new Map<string, FunctionPolicies>([
  [
    'reader',
    {
      function: 'reader',
      functionLogicalId: 'Reader',
      roleArn: 'arn:aws:iam::123456789012:role/reader',
      policies: [
        {
          name: 'team-a',
          policy: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: 'backup:DescribeRecoveryPoint',
                Resource: '*',
                Condition: { StringEquals: { 'aws:ResourceTag/team': 'a' } },
              },
            ],
          },
        },
      ],
    },
  ],
]);

describe('the request context of a recorded call', () => {
  it("carries a recovery point's tags, though the SAR's format names its account with *", async () => {
    // Prepare: the SAR's format is arn:${Partition}:${Vendor}:${Region}:*:${ResourceType}:…
    const read = (team: string) =>
      recordedCall('reader', 'backup:DescribeRecoveryPoint', [RECOVERY_POINT], {
        resourceTags: { [RECOVERY_POINT]: { team } },
      });

    // Act
    const ours = await evaluateRecordedCalls([read('a')], TEAM_A_ONLY);
    const theirs = await evaluateRecordedCalls([read('b')], TEAM_A_ONLY);

    // Assess: allowed by its tag; another team's is not
    expect(ours).toEqual({ allowed: 1, denied: [] });
    expect(theirs.allowed).toBe(0);
    expect(theirs.denied).toHaveLength(1);
  });
});
