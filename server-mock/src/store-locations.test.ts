import { describe, expect, it } from 'vitest';
import { resolveServerConfig } from './config.js';
import { parseBlocksLocation, parseBusLocation, parseMetadataLocation } from './store-locations.js';

describe('store locations', () => {
  it('reads an s3:// URL with its parameters, and local', () => {
    expect(parseBlocksLocation('local', 'blocks')).toEqual({ kind: 'local' });
    expect(
      parseBlocksLocation(
        's3://ferry-blocks?endpoint=http://127.0.0.1:9000&region=eu-west-1&prefix=prod/&coldStorageClass=STANDARD_IA',
        'blocks',
      ),
    ).toEqual({
      kind: 's3',
      bucket: 'ferry-blocks',
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-west-1',
      prefix: 'prod/',
      coldStorageClass: 'STANDARD_IA',
    });
    expect(parseBusLocation('redis://127.0.0.1:6379/2', 'bus')).toEqual({
      kind: 'redis',
      url: 'redis://127.0.0.1:6379/2',
    });
  });

  it.each([
    ['file:///tmp/blocks', 'must be "local" or s3://BUCKET'],
    ['s3://Ferry_Blocks', 'is not an S3 bucket name'],
    ['s3://ab', 'is not an S3 bucket name'],
    ['s3://key:secret@bucket1', 'credentials come from AWS_ACCESS_KEY_ID'],
    ['s3://bucket1/some/path', 'a key prefix goes in ?prefix='],
    ['s3://bucket1?endpoint=ftp://x', 'the endpoint must be an http(s) URL'],
    ['s3://bucket1?endpoint=http://x?y=1', 'the endpoint must be an http(s) URL without a query'],
    ['s3://bucket1?acl=public-read', 'unknown parameter "acl"'],
    ['s3://bucket1?coldStorageClass=DEEP_FREEZE', 'coldStorageClass must be one of'],
    ['s3://bucket1?prefix=../../etc', 'the prefix may hold'],
    ['not a url', 'is not a URL'],
  ])('refuses blocks %s', (raw, message) => {
    expect(() => parseBlocksLocation(raw, 'blocks (FERRY_BLOCKS)')).toThrow(message);
    expect(() => parseBlocksLocation(raw, 'blocks (FERRY_BLOCKS)')).toThrow(
      /^blocks \(FERRY_BLOCKS\): /,
    );
  });

  it.each([
    ['http://127.0.0.1:6379', 'must be "local" or redis://'],
    ['redis://127.0.0.1:6379/abc', 'database number'],
    ['redis://', 'needs a host'],
  ])('refuses bus %s', (raw, message) => {
    expect(() => parseBusLocation(raw, 'bus')).toThrow(message);
  });

  it.each([
    ['sqlite', { kind: 'sqlite' }],
    [
      'postgres://ferry@db.internal:5432/ferry',
      { kind: 'postgres', url: 'postgres://ferry@db.internal:5432/ferry' },
    ],
  ])('reads metadata %s', (raw, location) => {
    expect(parseMetadataLocation(raw, 'metadata')).toEqual(location);
  });

  it.each([
    ['postgres://u:secret@db/ferry', 'password comes from PGPASSWORD'],
    ['postgres://db', 'needs a host and a database'],
    ['mysql://db/ferry', 'must be "sqlite" or postgres://'],
  ])('refuses metadata %s', (raw, message) => {
    expect(() => parseMetadataLocation(raw, 'metadata')).toThrow(message);
  });

  it('reads FERRY_BLOCKS, FERRY_BLOCKS_REPLICA and FERRY_BUS; options win', () => {
    const env = {
      FERRY_BLOCKS: 's3://one-bucket',
      FERRY_BLOCKS_REPLICA: 's3://two-bucket?region=us-west-2',
      FERRY_BUS: 'redis://cache:6379',
    };
    const fromEnv = resolveServerConfig({}, env);
    expect(fromEnv.blocks).toEqual({ kind: 's3', bucket: 'one-bucket' });
    expect(fromEnv.blocksReplica).toEqual({
      kind: 's3',
      bucket: 'two-bucket',
      region: 'us-west-2',
    });
    expect(fromEnv.bus).toEqual({ kind: 'redis', url: 'redis://cache:6379' });
    const fromOptions = resolveServerConfig({ blocks: 'local', bus: 'local' }, env);
    expect(fromOptions.blocks).toEqual({ kind: 'local' });
    expect(fromOptions.bus).toEqual({ kind: 'local' });
    expect(resolveServerConfig({}, {}).blocksReplica).toBeUndefined();
  });
});
