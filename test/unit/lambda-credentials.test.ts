import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a JavaScript module the bundles alias in place of the SDK's chain
import { defaultProvider } from '../../infra/bundling/lambda-credentials.mjs';

type Provider = (init?: object) => () => Promise<Record<string, unknown>>;
const chain = defaultProvider as Provider;
const saved = { ...process.env };

afterEach(() => {
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe("the bundles' credential chain (infra/bundling/lambda-credentials.mjs)", () => {
  it('answers with the role session the Lambda runtime puts in the environment', async () => {
    // Prepare
    process.env.AWS_ACCESS_KEY_ID = 'ASIAEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    process.env.AWS_SESSION_TOKEN = 'token';

    // Act
    const credentials = await chain()();

    // Assess
    expect(credentials).toMatchObject({
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'token',
    });
  });

  it('says where credentials must come from when the environment has none', async () => {
    // Prepare
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;

    // Act / Assess
    await expect(chain()()).rejects.toThrow(
      /Unable to find environment variable credentials\. The Lambda runtime sets AWS_ACCESS_KEY_ID/,
    );
  });
});
