// What the bundles carry instead of `@aws-sdk/credential-provider-node` (infra/bundling.ts,
// `--alias`): the SDK clients' default credential chain, reduced to the one link that ever
// answers in Lambda. The runtime puts the execution role's session in the environment
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), which the full chain reads
// first; its other links (SSO, shared ini files, web identity, ECS and EC2 metadata, with the
// STS and SSO clients nested in them) never run there, yet they were about 90 kB of every
// function's bundle, evaluated at every cold start. Local mode gives each function's
// environment its role session the same way (local/credentials.ts).
import { fromEnv } from '@aws-sdk/credential-provider-env';

/** The chain's signature: `defaultProvider(init)` returns the provider the client calls. */
export const defaultProvider = (init = {}) => {
  const provider = fromEnv(init);
  return async (options) => {
    try {
      return await provider(options);
    } catch (error) {
      error.message = `${error.message} The Lambda runtime sets AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for the function's role; this bundle reads credentials from nowhere else.`;
      throw error;
    }
  };
};

export { defaultProvider as fromNodeProviderChain };
