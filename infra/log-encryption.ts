import { Aspects, type IAspect } from 'aws-cdk-lib';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';

/**
 * Puts a customer managed KMS key on every log group in a scope: the functions' own, the
 * state machines' and the API's access logs, and any a later construct adds. An aspect
 * rather than a prop on each LogGroup, so a log group added tomorrow cannot be missed.
 *
 * The key's policy must let CloudWatch Logs use it (infra/README.md, "logsKmsKeyArn"):
 * CloudFormation fails to create a log group otherwise.
 */
export class LogGroupEncryption implements IAspect {
  readonly #keyArn: string;

  constructor(keyArn: string) {
    this.#keyArn = keyArn;
  }

  visit(node: IConstruct): void {
    if (node instanceof CfnLogGroup) node.kmsKeyId = this.#keyArn;
  }
}

/**
 * Encrypts every log group of `scope` with `keyArn`; nothing when no key is configured (the
 * log groups keep CloudWatch Logs' own encryption at rest).
 */
export function encryptLogGroups(scope: IConstruct, keyArn: string | undefined): void {
  if (keyArn) Aspects.of(scope).add(new LogGroupEncryption(keyArn));
}
