// What the bundles carry instead of aws-xray-sdk-core's AWS SDK v2 patcher (its
// dist/lib/patchers/aws_p.js; infra/bundling.ts, plugin `xray-sdk-v2-patcher`). The X-Ray SDK
// requires it when loaded, for `captureAWS` and `captureAWSClient`, which patch SDK v2
// clients; it requires `semver` (29 kB) to check the v2 SDK's version. The functions use SDK
// v3 only, traced by `captureAWSv3Client` (patchers/aws3_p.js, bundled as it is), so neither
// is ever called; calling one says why it cannot work here instead of failing later.
'use strict';

function sdkV2NotBundled() {
  throw new Error(
    'captureAWS/captureAWSClient patch AWS SDK v2 clients, which these bundles do not carry: use captureAWSv3Client',
  );
}

exports.captureAWS = sdkV2NotBundled;
exports.captureAWSClient = sdkV2NotBundled;
