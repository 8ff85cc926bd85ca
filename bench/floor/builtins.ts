// The cold-init floor (bench/cold-init-floor.ts): the Node built-ins an AWS SDK client loads
// (signing, TLS, compression, its config files) and nothing else.
import * as crypto from 'node:crypto';
import * as promises from 'node:fs/promises';
import * as https from 'node:https';
import * as os from 'node:os';
import * as zlib from 'node:zlib';

const loaded = [crypto.createHash, promises.readFile, https.request, os.homedir, zlib.gzip];
export const handler = async () => ({ statusCode: 200, body: String(loaded.length) });
