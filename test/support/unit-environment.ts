// After base-environment.ts, for the unit project only: its files share one module graph per
// thread (vitest.config.ts: isolate false), so what one file stubs must not reach the next.
// aws-sdk-client-mock stubs a client's `send` in sinon's default sandbox; a stub on a client
// class (`mockClient(EFSClient)`) stays on every instance until restored, and a later file's
// clients would answer from it (undefined, sending nothing). Each file's stubs are undone after
// it. The sandbox is the one aws-sdk-client-mock requires (CommonJS): sinon's ES module build
// is another instance, with a default sandbox of its own.
import { createRequire } from 'node:module';
import type Sinon from 'sinon';
import { afterAll } from 'vitest';

const sinon = createRequire(import.meta.url)('sinon') as typeof Sinon;

afterAll(() => {
  sinon.restore();
});
