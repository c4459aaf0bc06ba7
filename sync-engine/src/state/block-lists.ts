import type Database from 'better-sqlite3';
import type { BlockId } from '../protocol/index.js';
import { ClientStateError } from './client-state-error.js';
import type { ItemId } from './item-id.js';
import { translateConstraintErrors } from './sqlite-constraint.js';
import type { TreeName } from './tree-table.js';

/** One block of a file's content: where it sits and which block it is. */
export interface BlockRef {
  readonly offsetBytes: number;
  readonly sizeBytes: number;
  readonly blockId: BlockId;
  /**
   * xxHash64 of the block's plaintext (16 lowercase hex digits), when it was computed: lets an
   * edit recognise unchanged blocks, and a download verify a local copy, without SHA-256.
   */
  readonly xxhash?: string | undefined;
}

/** A block found inside a file on disk: where to read it instead of downloading it. */
export interface LocalBlockSource {
  readonly itemId: ItemId;
  readonly path: string;
  readonly offsetBytes: number;
  readonly sizeBytes: number;
  /** The block's xxHash64 as recorded in that file's list, when known. */
  readonly xxhash?: string | undefined;
}

/** Throws unless `blocks` tile the content from offset 0 without gaps or overlaps. */
function checkContiguous(action: string, blocks: readonly BlockRef[]): void {
  let expectedOffset = 0;
  for (const [position, block] of blocks.entries()) {
    if (block.offsetBytes !== expectedOffset || block.sizeBytes <= 0) {
      throw new ClientStateError(
        'state_invalid_block_list',
        `${action}: block ${position} is at offset ${block.offsetBytes} size ${block.sizeBytes}, expected offset ${expectedOffset} and a positive size`,
      );
    }
    expectedOffset += block.sizeBytes;
  }
}

/**
 * The ordered block list of a file in one tree (normalised into `item_block`). A list belongs
 * to a file row of its tree and is dropped when that row's content changes, so it never
 * describes stale content: put the tree row first, then set its list.
 */
export class BlockLists {
  private readonly replaceList: (
    itemId: ItemId,
    tree: TreeName,
    blocks: readonly BlockRef[],
  ) => void;
  private readonly selectList: Database.Statement;
  private readonly selectLocalSource: Database.Statement;

  constructor(db: Database.Database) {
    const clear = db.prepare('DELETE FROM item_block WHERE item_id = ? AND tree = ?');
    const insert = db.prepare(
      `INSERT INTO item_block (item_id, tree, position, offset_bytes, size_bytes, block_id, xxhash)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.replaceList = db.transaction(
      (itemId: ItemId, tree: TreeName, blocks: readonly BlockRef[]) => {
        clear.run(itemId, tree);
        blocks.forEach((block, position) => {
          insert.run(
            itemId,
            tree,
            position,
            block.offsetBytes,
            block.sizeBytes,
            block.blockId,
            block.xxhash ?? null,
          );
        });
      },
    ).immediate;
    this.selectList = db.prepare(
      `SELECT offset_bytes AS offsetBytes, size_bytes AS sizeBytes, block_id AS blockId, xxhash
       FROM item_block WHERE item_id = ? AND tree = ? ORDER BY position`,
    );
    this.selectLocalSource = db.prepare(
      `SELECT b.item_id AS itemId, l.path, b.offset_bytes AS offsetBytes, b.size_bytes AS sizeBytes,
         b.xxhash
       FROM item_block b JOIN local_item l ON l.item_id = b.item_id
       WHERE b.block_id = ? AND b.tree = 'local' ORDER BY l.path, b.position LIMIT 1`,
    );
  }

  /**
   * Replaces the block list of `itemId` in `tree` with `blocks` (in file order), atomically.
   * An empty list is an empty file.
   *
   * @throws ClientStateError `state_invalid_block_list` when the blocks do not tile the content
   *   from offset 0, or the item has no file row in `tree`.
   */
  set(itemId: ItemId, tree: TreeName, blocks: readonly BlockRef[]): void {
    const action = `set ${tree} block list of item ${itemId}`;
    checkContiguous(action, blocks);
    translateConstraintErrors(action, () => this.replaceList(itemId, tree, blocks));
  }

  /** The block list of `itemId` in `tree`, in file order; empty when none is recorded. */
  get(itemId: ItemId, tree: TreeName): BlockRef[] {
    const rows = this.selectList.all(itemId, tree) as Array<BlockRef & { xxhash: string | null }>;
    return rows.map(({ xxhash, ...block }) => (xxhash === null ? block : { ...block, xxhash }));
  }

  /**
   * A local file that holds `blockId` according to its recorded block list, or `undefined`.
   * The caller re-reads and re-hashes the bytes before using them: the disk may have changed
   * since the scan.
   */
  findLocalSource(blockId: BlockId): LocalBlockSource | undefined {
    const row = this.selectLocalSource.get(blockId) as
      (LocalBlockSource & { xxhash: string | null }) | undefined;
    if (row === undefined) return undefined;
    const { xxhash, ...source } = row;
    return xxhash === null ? source : { ...source, xxhash };
  }
}
