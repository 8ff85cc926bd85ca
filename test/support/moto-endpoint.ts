/** This test file's moto, started by test/support/aws-environment.ts (a setup file). */
export function motoEndpoint(): string {
  const endpoint = process.env.LOCAL_MOTO_ENDPOINT;
  if (!endpoint) throw new Error('no moto: test/support/aws-environment.ts did not run');
  return endpoint;
}
