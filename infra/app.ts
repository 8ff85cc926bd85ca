import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONTEXT_KEY, parseServiceConfig } from './config.ts';
import { EfsVolumesStack } from './efs-volumes-stack.ts';
import { projectContext } from './project-context.ts';

// Under the CDK CLI, CDK_OUTDIR and CDK_CONTEXT_JSON are set; run directly (npm run synth),
// the app reads the project's context itself and writes to cdk.out.
const app = new App({
  outdir: process.env.CDK_OUTDIR ?? 'cdk.out',
  ...(process.env.CDK_CONTEXT_JSON ? {} : { context: projectContext() }),
});
const config = parseServiceConfig(app.node.tryGetContext(CONTEXT_KEY));
const stackName =
  (app.node.tryGetContext('efs-volumes:stackName') as string | undefined) ?? 'EfsVolumes';

new EfsVolumesStack(app, stackName, {
  config,
  description: 'EFS volumes for EKS Fargate pods: API, workflows, records (efs-fargate-volumes)',
  // Environment-agnostic on purpose: nothing is looked up at synth time, and the template
  // (with its cdk-nag acknowledgements, which name ARN patterns) is the same for every account.
});
// cdk-nag 3 is a policy validation plugin: unacknowledged AwsSolutions errors fail the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
