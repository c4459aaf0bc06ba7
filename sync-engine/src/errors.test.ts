import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BlockDecodeError,
  ClientStateError,
  EngineError,
  decodeBlock,
  openClientState,
} from './index.js';
import type { BlockId } from './protocol/index.js';

describe('EngineError', () => {
  it('is the base of the block codec errors, with the code kept', () => {
    const key = new Uint8Array(32);
    let caught: unknown;
    try {
      decodeBlock(new Uint8Array([1, 2, 3]), key, '0'.repeat(64) as BlockId);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BlockDecodeError);
    expect(caught).toBeInstanceOf(EngineError);
    expect((caught as EngineError).code).toBe('block_format_invalid');
  });

  it('is the base of the local state errors', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ferry-errors-'));
    try {
      const file = path.join(dir, 'state.db');
      const db = new Database(file);
      db.pragma('user_version = 9999');
      db.close();
      let caught: unknown;
      try {
        openClientState(file).close();
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ClientStateError);
      expect(caught).toBeInstanceOf(EngineError);
      expect((caught as EngineError).code).toBe('state_schema_too_new');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
