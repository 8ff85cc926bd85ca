// Every test process's AWS and Powertools settings, set before any module builds an SDK client:
// a region and keys so a client can be built, and no endpoint (unit tests stub their clients;
// the integration tests add a moto of their own, test/support/aws-environment.ts).
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'testing';
process.env.AWS_SECRET_ACCESS_KEY = 'testing';
delete process.env.AWS_SESSION_TOKEN;
delete process.env.AWS_PROFILE;
delete process.env.AWS_ENDPOINT_URL;
// The stack tag's value: the name of the stack test/infra/synthesize.ts builds, whose IAM
// policies test/iam evaluates the recorded calls against.
process.env.STACK_NAME = 'EfsVolumes';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_DEV = 'false';
// No EMF lines in the test output; the tests of metrics and of what is logged turn them on.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
// Moto's mount targets are available at once and no DNS has to propagate; the tests of the
// readiness delay set their own.
process.env.MOUNT_TARGET_DNS_DELAY_SECONDS = '0';
