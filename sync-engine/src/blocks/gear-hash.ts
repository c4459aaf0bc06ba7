import { GEAR } from './gear-table.js';

/**
 * The chunker's hot loop, h = (h << 1) + GEAR[byte] until h & mask = 0, in a tiny WebAssembly
 * module. The same loop in JavaScript ran at ~480 MB/s here and bounded the whole pipeline on
 * incompressible data; in WebAssembly it runs at ~800–1,000 MB/s (no bounds checks on the loads,
 * unrolled 4×), docs/performance.md. The module is assembled below from named opcodes (it is 279
 * bytes; a toolchain would be a heavier dependency than the code it builds).
 *
 * Memory layout: [0, 1024) the gear table as little-endian i32; [1024, 1024 + SCRATCH_BYTES) the
 * bytes being scanned, copied in from the caller's array a slice at a time.
 */

const GEAR_TABLE_BYTES = 256 * 4;
const SCRATCH_OFFSET = GEAR_TABLE_BYTES;
/** Bytes scanned per copy into the module's memory: small enough to stay in the CPU cache. */
const SCRATCH_BYTES = 256 * 1024;
const WASM_PAGE_BYTES = 64 * 1024;
/** Bytes hashed per loop iteration of the unrolled body. */
const UNROLL = 4;

// Opcodes and types (WebAssembly core specification, binary format). The i32.const immediates
// below are all in [0, 63], which a signed LEB128 writes as the value itself in one byte.
const OP = {
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
  end: 0x0b,
  return: 0x0f,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  globalSet: 0x24,
  i32Load: 0x28,
  i32Load8U: 0x2d,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32LtS: 0x48,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32And: 0x71,
  i32Shl: 0x74,
} as const;
const I32 = 0x7f;
const VOID_BLOCK = 0x40;
const FUNC_TYPE = 0x60;

/** Unsigned LEB128. */
function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

function section(id: number, items: number[][]): number[] {
  const body = [...uleb(items.length), ...items.flat()];
  return [id, ...uleb(body.length), ...body];
}

function name(text: string): number[] {
  return [...uleb(text.length), ...Buffer.from(text, 'latin1')];
}

// Parameters of scan(ptr, end, hash, mask) -> i32.
const PTR = 0;
const END = 1;
const HASH = 2;
const MASK = 3;

/**
 * One byte: hash = (hash << 1) + gear[mem[ptr]]; ptr += 1; then branches to `foundDepth` when
 * hash & mask = 0 (the cut falls after this byte and ptr is already past it).
 */
function hashOneByte(foundDepth: number): number[] {
  // prettier-ignore
  return [
    OP.localGet, HASH, OP.i32Const, 1, OP.i32Shl,
    OP.localGet, PTR, OP.i32Load8U, 0, 0, OP.i32Const, 2, OP.i32Shl, OP.i32Load, 2, 0,
    OP.i32Add, OP.localTee, HASH,
    OP.localGet, PTR, OP.i32Const, 1, OP.i32Add, OP.localSet, PTR,
    OP.localGet, MASK, OP.i32And, OP.i32Eqz, OP.brIf, foundDepth,
  ];
}

/**
 * scan(ptr, end, hash, mask): hashes mem[ptr, end) on from `hash`; returns the address just past
 * the first byte after which hash & mask = 0, or 0 when there is none. The hash after the last
 * byte hashed is left in the exported global `hash` either way.
 */
function scanFunctionBody(): number[] {
  // prettier-ignore
  const code = [
    0, // no locals besides the parameters
    OP.block, VOID_BLOCK, // $found
    OP.block, VOID_BLOCK, // $tail
    OP.loop, VOID_BLOCK, // $unrolled: UNROLL bytes a turn while that many remain
    OP.localGet, END, OP.localGet, PTR, OP.i32Sub, OP.i32Const, UNROLL, OP.i32LtS, OP.brIf, 1,
    ...Array.from({ length: UNROLL }, () => hashOneByte(2)).flat(),
    OP.br, 0,
    OP.end,
    OP.end,
    OP.block, VOID_BLOCK, // $none
    OP.loop, VOID_BLOCK, // $single: the last bytes one at a time
    OP.localGet, PTR, OP.localGet, END, OP.i32GeU, OP.brIf, 1,
    ...hashOneByte(2),
    OP.br, 0,
    OP.end,
    OP.end,
    OP.localGet, HASH, OP.globalSet, 0, OP.i32Const, 0, OP.return,
    OP.end, // $found
    OP.localGet, HASH, OP.globalSet, 0, OP.localGet, PTR,
    OP.end,
  ];
  return [...uleb(code.length), ...code];
}

function assembleModule(): Uint8Array {
  const pages = Math.ceil((SCRATCH_OFFSET + SCRATCH_BYTES) / WASM_PAGE_BYTES);
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
    ...section(1, [[FUNC_TYPE, 4, I32, I32, I32, I32, 1, I32]]), // type 0
    ...section(3, [[0]]), // function 0 has type 0
    ...section(5, [[0x00, ...uleb(pages)]]), // memory 0: `pages` pages, no maximum
    ...section(6, [[I32, 0x01, OP.i32Const, 0, OP.end]]), // global 0: mutable i32 = 0
    ...section(7, [
      [...name('scan'), 0x00, 0],
      [...name('memory'), 0x02, 0],
      [...name('hash'), 0x03, 0],
    ]),
    ...section(10, [scanFunctionBody()]),
  ];
  return Uint8Array.from(bytes);
}

interface GearScanExports {
  scan(ptr: number, end: number, hash: number, mask: number): number;
  memory: { buffer: ArrayBuffer };
  hash: { value: number };
}

/** The part of the WebAssembly JavaScript API used here (the ES libraries do not declare it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/**
 * The instantiated module of this thread, made on first use. One per thread is enough: a scan
 * runs synchronously from copy to result, so scanners on one thread never interleave in it.
 */
let threadModule: { exports: GearScanExports; scratch: Uint8Array } | undefined;

function gearScanModule(): { exports: GearScanExports; scratch: Uint8Array } {
  if (threadModule) return threadModule;
  const instance = new wasm.Instance(new wasm.Module(assembleModule()));
  const exports = instance.exports as unknown as GearScanExports;
  const view = new DataView(exports.memory.buffer);
  for (let i = 0; i < GEAR.length; i++) view.setInt32(i * 4, GEAR[i]!, true);
  const scratch = new Uint8Array(exports.memory.buffer, SCRATCH_OFFSET, SCRATCH_BYTES);
  threadModule = { exports, scratch };
  return threadModule;
}

/** A running gear hash, h = (h << 1) + GEAR[byte] (32-bit), fed range by range. */
export class GearHash {
  /** The hash after the last byte hashed; set it to 0 to start a new block. */
  hash = 0;

  /**
   * Hashes data[from, to) onto `hash` and stops after the first byte that leaves
   * hash & mask = 0. Returns the index in `data` just past that byte, or -1 when none did.
   * @throws RangeError unless 0 ≤ from ≤ to ≤ data.length (whole numbers)
   */
  scan(data: Uint8Array, from: number, to: number, mask: number): number {
    if (!(Number.isInteger(from) && Number.isInteger(to) && 0 <= from && from <= to)) {
      throw new RangeError(`gear scan range [${from}, ${to}) is not a range`);
    }
    if (to > data.length) {
      throw new RangeError(`gear scan range [${from}, ${to}) ends past ${data.length} bytes`);
    }
    const { exports, scratch } = gearScanModule();
    for (let at = from; at < to; at += SCRATCH_BYTES) {
      const length = Math.min(SCRATCH_BYTES, to - at);
      scratch.set(data.subarray(at, at + length));
      const stop = exports.scan(SCRATCH_OFFSET, SCRATCH_OFFSET + length, this.hash, mask);
      this.hash = exports.hash.value;
      if (stop !== 0) return at + stop - SCRATCH_OFFSET;
    }
    return -1;
  }
}
