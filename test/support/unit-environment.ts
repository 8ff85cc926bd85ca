// Unit tests stub their AWS clients: a region and keys so a client can be built, and nothing
// that reaches a network.
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'testing';
process.env.AWS_SECRET_ACCESS_KEY = 'testing';
delete process.env.AWS_SESSION_TOKEN;
delete process.env.AWS_PROFILE;
delete process.env.AWS_ENDPOINT_URL;
process.env.STACK_NAME = 'EfsVolumes';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_DEV = 'false';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.MOUNT_TARGET_DNS_DELAY_SECONDS = '0';
