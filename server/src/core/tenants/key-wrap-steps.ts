/**
 * The data movement of batched AES key wrap (aes-key-wrap.ts), as four WebAssembly loops.
 *
 * Each of the 6·n steps of RFC 3394 moves one 8-byte semiblock per key into that key's AES block and
 * back, and XORs the step counter into A: a strided copy no Buffer method does. Written as JavaScript
 * loops, it runs in V8's interpreter until the optimising compiler has caught up — in a process that
 * has just started (every CLI run, the first bulk run after `serve`) that was most of a bulk CMK
 * run's own time, and the compiler's threads took CPU from the database. WebAssembly is compiled
 * before its first call, so these loops run at machine speed from the first key. The module holds
 * no key of its own: it works on its memory, which the caller fills, reads back and wipes.
 *
 * The module is spelt out byte by byte below (WebAssembly binary format, core spec §5), each
 * function with its text form. Memory layout is the caller's: `blocks` (one 16-byte AES block per
 * key, A ‖ R) at offset 0, the keys' rows wherever the caller puts them.
 */

const I32 = 0x7f;
const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  get: 0x20,
  set: 0x21,
  i32Const: 0x41,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Xor: 0x73,
  i32Shl: 0x74,
  /** memarg: alignment exponent, then offset. */
  i32Load: (offset: number) => [0x28, 2, offset],
  i32Store: (offset: number) => [0x36, 2, offset],
  i64Load: [0x29, 3, 0],
  i64Store: [0x37, 3, 0],
  memoryCopy: [0xfc, 0x0a, 0, 0],
} as const;

/** Unsigned LEB128 (§5.2.2). */
function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return out;
}
const vector = (items: number[][]) => [...leb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
const name = (text: string) => [...leb(text.length), ...Buffer.from(text, 'utf8')];
/** A function body with `locals` extra i32 locals (after the parameters). */
const body = (locals: number, code: number[]) => {
  const bytes = [...vector(locals ? [[locals, I32]] : []), ...code, op.end];
  return [...leb(bytes.length), ...bytes];
};
/** `block loop (br_if 1 (i32.ge_u p end)) …code… (br 0) end end` */
const whileBelow = (p: number, end: number, code: number[]) => [
  ...op.block,
  ...op.loop,
  op.get,
  p,
  op.get,
  end,
  op.i32GeU,
  op.brIf,
  1,
  ...code,
  op.br,
  0,
  op.end,
  op.end,
];
const addTo = (local: number, value: number[]) => [op.get, local, ...value, op.i32Add, op.set, local];

// (func $load (param $count $r $stride $half) (local $p $end)
//   p = half; end = (count << 4) + half
//   while p < end: i64.store(p, i64.load(r)); p += 16; r += stride)
// Puts each key's semiblock at r (then r + stride, …) into the block half at `half` (8: R, 0: A).
const load = body(2, [
  ...[op.get, 3, op.set, 4],
  ...[op.get, 0, op.i32Const, 4, op.i32Shl, op.get, 3, op.i32Add, op.set, 5],
  ...whileBelow(4, 5, [
    ...[op.get, 4, op.get, 1, ...op.i64Load, ...op.i64Store],
    ...addTo(4, [op.i32Const, 16]),
    ...addTo(1, [op.get, 2]),
  ]),
]);
// (func $store …) the same walk, the other way: i64.store(r, i64.load(p)).
const store = body(2, [
  ...[op.get, 3, op.set, 4],
  ...[op.get, 0, op.i32Const, 4, op.i32Shl, op.get, 3, op.i32Add, op.set, 5],
  ...whileBelow(4, 5, [
    ...[op.get, 1, op.get, 4, ...op.i64Load, ...op.i64Store],
    ...addTo(4, [op.i32Const, 16]),
    ...addTo(1, [op.get, 2]),
  ]),
]);
// (func $mix (param $count $t) (local $p $end)
//   end = count << 4; while p < end: i32.store offset=4 (p, i32.load offset=4 (p) ^ t); p += 16)
// XORs t into bytes 4–7 of every block's A (the low half of RFC 3394's 64-bit A ^ t).
const mix = body(2, [
  ...[op.get, 0, op.i32Const, 4, op.i32Shl, op.set, 3],
  ...whileBelow(2, 3, [
    ...[op.get, 2, op.get, 2, ...op.i32Load(4), op.get, 1, op.i32Xor, ...op.i32Store(4)],
    ...addTo(2, [op.i32Const, 16]),
  ]),
]);
// (func $spread (param $count $src $srcStride $dst $dstStride $length) (local $k)
//   while k < count: memory.copy(dst, src, length); src += srcStride; dst += dstStride; k += 1)
// Copies `count` rows from one stride to another (keys in and out of the layout the steps use).
const spread = body(1, [
  ...whileBelow(6, 0, [
    ...[op.get, 3, op.get, 1, op.get, 5, ...op.memoryCopy],
    ...addTo(1, [op.get, 2]),
    ...addTo(3, [op.get, 4]),
    ...addTo(6, [op.i32Const, 1]),
  ]),
]);

const moduleBytes = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
  // Types: 0 = (i32 × 4) → (), 1 = (i32 × 2) → (), 2 = (i32 × 6) → ().
  ...section(
    1,
    vector([
      [0x60, 4, I32, I32, I32, I32, 0],
      [0x60, 2, I32, I32, 0],
      [0x60, 6, I32, I32, I32, I32, I32, I32, 0],
    ]),
  ),
  ...section(3, vector([[0], [0], [1], [2]])),
  // One memory, one page to start; the caller grows it.
  ...section(5, vector([[0x00, 1]])),
  ...section(
    7,
    vector([
      [...name('memory'), 0x02, 0],
      [...name('load'), 0x00, 0],
      [...name('store'), 0x00, 1],
      [...name('mix'), 0x00, 2],
      [...name('spread'), 0x00, 3],
    ]),
  ),
  ...section(10, vector([load, store, mix, spread])),
]);

export interface KeyWrapSteps {
  /** Block half `half` (8: R, 0: A) of each key ← the 8 bytes at r + k·stride. */
  load(count: number, r: number, stride: number, half: number): void;
  /** The 8 bytes at r + k·stride ← block half `half` of each key. */
  store(count: number, r: number, stride: number, half: number): void;
  /** XORs the 32-bit word t (as it lies in memory, little-endian) into bytes 4–7 of every block. */
  mix(count: number, t: number): void;
  /** Copies `count` rows of `length` bytes from src (stride srcStride) to dst (stride dstStride). */
  spread(count: number, src: number, srcStride: number, dst: number, dstStride: number, length: number): void;
  /** The module's memory, at least `bytes` long (views taken before a call to this are stale). */
  memory(bytes: number): Buffer;
}

/** The part of the WebAssembly JavaScript API used here (the project's TypeScript libs leave it out). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}
interface WebAssemblyMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

let instance: KeyWrapSteps | undefined;

/** The loops, compiled once per thread on first use. */
export function keyWrapSteps(): KeyWrapSteps {
  if (instance) return instance;
  const { exports } = new wasm.Instance(new wasm.Module(moduleBytes));
  const memory = exports.memory as WebAssemblyMemory;
  instance = {
    load: exports.load as KeyWrapSteps['load'],
    store: exports.store as KeyWrapSteps['store'],
    mix: exports.mix as KeyWrapSteps['mix'],
    spread: exports.spread as KeyWrapSteps['spread'],
    memory(bytes) {
      const missing = bytes - memory.buffer.byteLength;
      if (missing > 0) memory.grow(Math.ceil(missing / 65536));
      return Buffer.from(memory.buffer, 0, memory.buffer.byteLength);
    },
  };
  return instance;
}
