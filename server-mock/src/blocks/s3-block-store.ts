/**
 * BlockStore on an S3-compatible object store (AWS S3, MinIO, Ceph, R2; tests: s3rver), for
 * several server instances sharing one set of blocks. Keys are `<prefix>hot/<namespace>/<id>`
 * and `<prefix>cold/<namespace>/<id>`; the cold copy is written in the cold-block format
 * (cold-block-codec.ts) with a cheaper storage class when one is configured (STANDARD_IA on
 * AWS), so the tiers are storage classes of one bucket. S3 writes are atomic per object, so a
 * reader never sees half a block; big blocks go up in parts (the SDK's Upload), small ones in
 * one PUT; the SDK retries throttling and 5xx answers. Memory per call is the block itself.
 */
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type StorageClass,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { BlockId, NamespaceId } from 'sync-engine/protocol';
import type { BlockStore, BlockTier } from './block-store.js';
import { decodeColdBlock, encodeColdBlock, type ColdCompression } from './cold-block-codec.js';
import { StoreUnavailableError } from '../store-unavailable.js';
import { KeyedLock } from './keyed-lock.js';

/** Options of {@link S3BlockStore.open}. */
export interface S3BlockStoreOptions {
  readonly bucket: string;
  /** `http(s)://host:port` of an S3-compatible server; AWS's own endpoint when absent. */
  readonly endpoint?: string;
  readonly region?: string;
  /** Path-style addressing (`endpoint/bucket/key`); the default when an endpoint is given. */
  readonly forcePathStyle?: boolean;
  /** Key prefix (`ferry/`), so one bucket can hold other things too. */
  readonly prefix?: string;
  /** Storage class of cold copies (`STANDARD_IA`, `GLACIER_IR`…); the bucket's default when absent. */
  readonly coldStorageClass?: StorageClass;
  readonly coldCompression?: ColdCompression;
  /** Explicit credentials (tests); otherwise the AWS SDK's chain (AWS_ACCESS_KEY_ID, …). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Attempts per request, retries included (default 4). */
  readonly maxAttempts?: number;
}

/** Blocks from this size up are uploaded in parts of this size. */
const PART_BYTES = 8 * 1024 * 1024;
const TIERS: readonly BlockTier[] = ['hot', 'cold'];

export class S3BlockStore implements BlockStore {
  private readonly lock = new KeyedLock();
  private isClosed = false;

  private constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
    private readonly coldStorageClass: StorageClass | undefined,
    private readonly coldCompression: ColdCompression,
  ) {}

  /** Connects, and creates the bucket when it does not exist (an existing one is used as it is). */
  static async open(options: S3BlockStoreOptions): Promise<S3BlockStore> {
    const client = new S3Client({
      region: options.region ?? 'us-east-1',
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
      maxAttempts: options.maxAttempts ?? 4,
      ...(options.credentials === undefined ? {} : { credentials: { ...options.credentials } }),
    });
    const store = new S3BlockStore(
      client,
      options.bucket,
      options.prefix ?? '',
      options.coldStorageClass,
      options.coldCompression ?? 'none',
    );
    try {
      await client.send(new HeadBucketCommand({ Bucket: options.bucket }));
    } catch (error) {
      if (!isNotFound(error)) {
        client.destroy();
        throw withReason(`open bucket ${options.bucket}`, error);
      }
      await client.send(new CreateBucketCommand({ Bucket: options.bucket }));
    }
    return store;
  }

  /** True when the bucket answers (for /healthz). */
  async isHealthy(): Promise<boolean> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), {
        abortSignal: AbortSignal.timeout(2000),
      });
      return true;
    } catch {
      return false;
    }
  }

  async put(namespace: NamespaceId, id: BlockId, encoded: Uint8Array): Promise<void> {
    this.assertOpen();
    await this.lock.run(this.key('hot', namespace, id), async () => {
      if ((await this.tierOf(namespace, id)) !== undefined) return;
      await this.write(this.key('hot', namespace, id), encoded, undefined);
    });
  }

  async get(namespace: NamespaceId, id: BlockId): Promise<Uint8Array | undefined> {
    this.assertOpen();
    const hot = await this.read(this.key('hot', namespace, id));
    if (hot !== undefined) return hot;
    return this.lock.run(this.key('hot', namespace, id), async () => {
      const hotNow = await this.read(this.key('hot', namespace, id));
      if (hotNow !== undefined) return hotNow;
      const stored = await this.read(this.key('cold', namespace, id));
      if (stored === undefined) return undefined;
      const block = await decodeColdBlock(Buffer.from(stored));
      // The hot copy first: a crash in between leaves both copies, never none.
      await this.write(this.key('hot', namespace, id), block, undefined);
      await this.remove(this.key('cold', namespace, id));
      return block;
    });
  }

  async tierOf(namespace: NamespaceId, id: BlockId): Promise<BlockTier | undefined> {
    this.assertOpen();
    for (const tier of TIERS) if (await this.exists(this.key(tier, namespace, id))) return tier;
    return undefined;
  }

  async moveToCold(namespace: NamespaceId, id: BlockId): Promise<void> {
    this.assertOpen();
    await this.lock.run(this.key('hot', namespace, id), async () => {
      const hot = await this.read(this.key('hot', namespace, id));
      if (hot === undefined) return;
      const cold = await encodeColdBlock(hot, this.coldCompression);
      await this.write(this.key('cold', namespace, id), cold, this.coldStorageClass);
      await this.remove(this.key('hot', namespace, id));
    });
  }

  async delete(namespace: NamespaceId, id: BlockId): Promise<void> {
    this.assertOpen();
    await this.lock.run(this.key('hot', namespace, id), async () => {
      for (const tier of TIERS) await this.remove(this.key(tier, namespace, id));
    });
  }

  async *list(namespace: NamespaceId): AsyncIterable<BlockId> {
    this.assertOpen();
    const seen = new Set<string>();
    for (const tier of TIERS) {
      const under = `${this.prefix}${tier}/${namespace}/`;
      for await (const key of this.keys(under, undefined)) {
        const id = key.slice(under.length);
        if (seen.has(id)) continue; // moving between tiers: listed once
        seen.add(id);
        yield id as BlockId;
      }
    }
  }

  async *listNamespaces(): AsyncIterable<NamespaceId> {
    this.assertOpen();
    const seen = new Set<string>();
    for (const tier of TIERS) {
      const under = `${this.prefix}${tier}/`;
      for await (const folder of this.keys(under, '/')) {
        const namespace = folder.slice(under.length, -1);
        if (seen.has(namespace)) continue;
        seen.add(namespace);
        yield namespace as NamespaceId;
      }
    }
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    await this.lock.idle();
    this.client.destroy();
  }

  private key(tier: BlockTier, namespace: NamespaceId, id: BlockId): string {
    return `${this.prefix}${tier}/${namespace}/${id}`;
  }

  private assertOpen(): void {
    if (this.isClosed) throw new Error('the block store is closed');
  }

  private async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw withReason(`look up ${key}`, error);
    }
  }

  private async read(key: string): Promise<Uint8Array | undefined> {
    try {
      const answer = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key }),
      );
      return answer.Body === undefined
        ? new Uint8Array()
        : await answer.Body.transformToByteArray();
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw withReason(`read ${key}`, error);
    }
  }

  private async write(
    key: string,
    bytes: Uint8Array,
    storageClass: StorageClass | undefined,
  ): Promise<void> {
    try {
      // One PUT below the part size, parts (uploaded two at a time) from there on.
      await new Upload({
        client: this.client,
        partSize: PART_BYTES,
        queueSize: 2,
        leavePartsOnError: false,
        params: {
          Bucket: this.bucket,
          Key: key,
          Body: bytes,
          ContentType: 'application/octet-stream',
          ...(storageClass === undefined ? {} : { StorageClass: storageClass }),
        },
      }).done();
    } catch (error) {
      throw withReason(`write ${key}`, error);
    }
  }

  private async remove(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      if (!isNotFound(error)) throw withReason(`delete ${key}`, error);
    }
  }

  /** Keys under `prefix` (with a delimiter: the common prefixes), page by page. */
  private async *keys(prefix: string, delimiter: string | undefined): AsyncIterable<string> {
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            ...(delimiter === undefined ? {} : { Delimiter: delimiter }),
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
        );
      } catch (error) {
        throw withReason(`list ${prefix}`, error);
      }
      if (delimiter === undefined) {
        for (const item of page.Contents ?? []) if (item.Key !== undefined) yield item.Key;
      } else {
        for (const item of page.CommonPrefixes ?? [])
          if (item.Prefix !== undefined) yield item.Prefix;
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }
}

function isNotFound(error: unknown): boolean {
  const failure = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  // A missing bucket is a misconfiguration, never an absent block.
  if (failure.name === 'NoSuchBucket') return false;
  return (
    failure.name === 'NotFound' ||
    failure.name === 'NoSuchKey' ||
    failure.$metadata?.httpStatusCode === 404
  );
}

/**
 * The error to throw: "unavailable" (a 503 for the client) when the object store did not
 * answer or answered 5xx (the SDK's retries are spent by then); else a plain error (access
 * denied, a bad request: a misconfiguration, which retrying does not cure).
 */
function withReason(what: string, error: unknown): Error {
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const message = `S3 block store: ${what}: ${reason}`;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status === undefined || status >= 500) {
    return new StoreUnavailableError('blocks', message, { cause: error });
  }
  return new Error(message, { cause: error });
}
