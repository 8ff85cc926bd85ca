// kubectl's exec credential plugin for local mode: prints an ExecCredential holding an EKS
// token, built by the same code the Lambdas use. Usage: node local/kube-token.ts <cluster> [region]
import { buildEksToken } from '../functions/lib/kube/eks-token.ts';

const [clusterName, region = process.env.AWS_REGION ?? 'us-east-1'] = process.argv.slice(2);
if (!clusterName) {
  process.stderr.write('usage: node local/kube-token.ts <cluster-name> [region]\n');
  process.exit(2);
}
const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
if (!accessKeyId || !secretAccessKey) {
  process.stderr.write('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set\n');
  process.exit(2);
}
const token = await buildEksToken({
  clusterName,
  region,
  credentials: { accessKeyId, secretAccessKey },
});
// EKS accepts a token for 15 minutes; tell kubectl to fetch a new one well before.
const expirationTimestamp = new Date(Date.now() + 10 * 60 * 1000)
  .toISOString()
  .replace(/\.\d+Z$/, 'Z');
process.stdout.write(
  `${JSON.stringify({
    kind: 'ExecCredential',
    apiVersion: 'client.authentication.k8s.io/v1beta1',
    spec: {},
    status: { expirationTimestamp, token },
  })}\n`,
);
