/**
 * Tensors in the kernels' WebAssembly memory: a first-fit allocator over the memory above the
 * streaming buffers, growing it when nothing free fits.
 *
 * Views survive growth because the memory is shared (a `SharedArrayBuffer` never detaches: after
 * `grow` the memory hands out a new, longer buffer object over the same bytes, and every older view
 * keeps its length and contents). The heap remembers every buffer object the memory handed out, so
 * `pointerOf` recognises a view made before or after any growth. A non-shared memory would detach
 * every view on growth, so the heap exists only on a shared memory (./load.ts).
 *
 * A block is freed by `free` (explicit), or by a FinalizationRegistry once the array the heap
 * returned is garbage collected. Views made from that array (`subarray`) do not keep it alive.
 */

/** Bytes every block is aligned to (a cache line). */
const ALIGN = 64;
const PAGE = 65536;

/** A typed array constructor the heap allocates (the storage arrays of the dtype table). */
export type HeapArrayConstructor =
  | Float32ArrayConstructor
  | Int32ArrayConstructor
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor;

export interface Heap {
  /** A zeroed array of `n` elements in the module's memory, `ALIGN`-byte aligned. */
  allocate<C extends HeapArrayConstructor>(ctor: C, n: number): InstanceType<C>;
  /** Frees the block of an array `allocate` returned; false when it is not a live one. */
  free(array: ArrayBufferView): boolean;
  /** True when `array` is a view inside a live block. */
  isLive(array: ArrayBufferView): boolean;
  /** The byte offset of a view of the module's memory (any view, any growth), or -1. */
  pointerOf(array: ArrayBufferView): number;
  /** A block of `bytes` for the kernels' own use (staging); give it back with `release`. */
  reserve(bytes: number): number;
  release(pointer: number): void;
  /** Bytes in live blocks, and the memory's size. */
  stats(): { readonly liveBytes: number; readonly memoryBytes: number };
}

interface Memory {
  readonly buffer: ArrayBufferLike;
  grow(pages: number): number;
}

/** The heap over `memory` from byte `start` (ALIGN-aligned) on. */
export function createHeap(memory: Memory, start: number): Heap {
  const known = new WeakSet<ArrayBufferLike>([memory.buffer]);
  /** Free ranges [at, at + size), sorted by address, never adjacent (merged). */
  const free: { at: number; size: number }[] = [];
  /** Live blocks: start -> size and id (ids tell a block from a later one at the same address). */
  const live = new Map<number, { readonly size: number; readonly id: number }>();
  let nextId = 1;
  let end = memory.buffer.byteLength;
  const base = Math.ceil(start / ALIGN) * ALIGN;
  if (base < end) free.push({ at: base, size: end - base });
  else end = base;
  let liveBytes = 0;

  const registry =
    typeof FinalizationRegistry === "function"
      ? new FinalizationRegistry<{ readonly at: number; readonly id: number }>((block) => {
          if (live.get(block.at)?.id === block.id) release(block.at);
        })
      : undefined;

  function insertFree(at: number, size: number): void {
    let i = 0;
    while (i < free.length && (free[i] as { at: number }).at < at) i++;
    free.splice(i, 0, { at, size });
    const next = free[i + 1];
    if (next !== undefined && at + size === next.at) {
      (free[i] as { size: number }).size += next.size;
      free.splice(i + 1, 1);
    }
    const prev = free[i - 1];
    const cur = free[i] as { at: number; size: number };
    if (prev !== undefined && prev.at + prev.size === cur.at) {
      prev.size += cur.size;
      free.splice(i, 1);
    }
  }

  function reserve(bytes: number): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    let i = free.findIndex((r) => r.size >= size);
    if (i < 0) {
      const last = free[free.length - 1];
      const tail = last !== undefined && last.at + last.size === end ? last.size : 0;
      const pages = Math.ceil((size - tail) / PAGE);
      try {
        memory.grow(pages);
      } catch {
        throw new RangeError(
          `allocate(): cannot grow the kernels' WebAssembly memory by ${pages * PAGE} bytes (it holds ${end} bytes, at most 4 GiB)`,
        );
      }
      known.add(memory.buffer);
      insertFree(end, pages * PAGE);
      end += pages * PAGE;
      i = free.findIndex((r) => r.size >= size);
    }
    const r = free[i] as { at: number; size: number };
    const at = r.at;
    if (r.size === size) free.splice(i, 1);
    else {
      r.at += size;
      r.size -= size;
    }
    live.set(at, { size, id: nextId++ });
    liveBytes += size;
    return at;
  }

  function release(pointer: number): void {
    const size = live.get(pointer)?.size;
    if (size === undefined) return;
    live.delete(pointer);
    liveBytes -= size;
    insertFree(pointer, size);
  }

  return {
    allocate(ctor, n) {
      const bytes = n * ctor.BYTES_PER_ELEMENT;
      const at = reserve(bytes);
      const array = new ctor(memory.buffer as ArrayBuffer, at, n) as InstanceType<typeof ctor>;
      // A freed block holds old values: hand out zeros, as a new typed array would.
      new Uint8Array(memory.buffer, at, bytes).fill(0);
      registry?.register(array, { at, id: (live.get(at) as { id: number }).id }, array);
      return array;
    },
    free(array) {
      const at = known.has(array.buffer) ? array.byteOffset : -1;
      if (!live.has(at)) return false;
      // (array may be a view of the block rather than the array itself: the registry then fires
      // later for a block id that is no longer live, and does nothing)
      registry?.unregister(array);
      release(at);
      return true;
    },
    isLive(array) {
      if (!known.has(array.buffer)) return false;
      const at = array.byteOffset;
      for (const [start, block] of live) {
        if (at >= start && at + array.byteLength <= start + block.size) return true;
      }
      return false;
    },
    pointerOf: (array) => (known.has(array.buffer) ? array.byteOffset : -1),
    reserve,
    release,
    stats: () => ({ liveBytes, memoryBytes: end }),
  };
}
