import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import type { Checksum, SourceData } from '@smithy/types';

function bytesOf(data: SourceData, encoding?: BufferEncoding): Buffer | string {
  if (typeof data === 'string') return encoding ? Buffer.from(data, encoding) : data;
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/**
 * SHA-256, and HMAC-SHA-256 when given a secret, from node:crypto: the hash SignatureV4 signs
 * an EKS token with. The AWS SDK's clients sign with node:crypto too; @aws-crypto/sha256-js, a
 * JavaScript SHA-256, computed the same digests with 4 kB more at every cold start that signs
 * a token.
 */
export class NodeSha256 implements Checksum {
  readonly #secret: SourceData | undefined;
  #hash: Hash | Hmac;

  constructor(secret?: SourceData) {
    this.#secret = secret;
    this.#hash = this.#fresh();
  }

  #fresh(): Hash | Hmac {
    return this.#secret === undefined
      ? createHash('sha256')
      : createHmac('sha256', bytesOf(this.#secret));
  }

  update(data: SourceData, encoding?: 'utf8' | 'ascii' | 'latin1'): void {
    this.#hash.update(bytesOf(data, encoding));
  }

  async digest(): Promise<Uint8Array> {
    const digest = this.#hash.digest();
    return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
  }

  reset(): void {
    this.#hash = this.#fresh();
  }
}
