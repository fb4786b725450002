// The arena: every buffer the kernels read or write lives in the wasm memory, handed out by this allocator.
// Allocation happens at setup (policy construction, createBatch, growing a scratch buffer for a larger batch);
// hot paths only read and write views. Blocks are 16-byte aligned (v128 loads) and zero-filled on allocation.
//
// First-fit over an address-sorted free list with coalescing; the region past `top` is free too. When nothing
// fits, the memory grows (through the `grow` callback of the loader, which owns the WebAssembly.Memory).

export type ElementKind = 'f32' | 'f64' | 'i32' | 'u8';
type ViewOf<K extends ElementKind> = K extends 'f32' ? Float32Array
  : K extends 'f64' ? Float64Array
  : K extends 'i32' ? Int32Array
  : Uint8Array;

const BYTES: Record<ElementKind, number> = { f32: 4, f64: 8, i32: 4, u8: 1 };
const PAGE = 65536;
const ALIGN = 16;

/** What the arena needs from the memory: its current buffer and a way to grow it. */
export interface ArenaMemory {
  buffer(): ArrayBufferLike;
  /** Grow by `pages` 64 KiB pages; throws when the maximum is reached. */
  grow(pages: number): void;
}

interface FreeBlock {
  start: number;
  size: number;
}

export class Arena {
  private readonly free: FreeBlock[] = [];
  private readonly used = new Map<number, number>();
  private top: number;

  /** `base`: first byte the arena may use (after the module's static data). */
  constructor(private readonly memory: ArenaMemory, base: number) {
    this.top = align(base);
  }

  /** Bytes currently handed out. */
  get bytesInUse(): number {
    let total = 0;
    for (const size of this.used.values()) total += size;
    return total;
  }

  /** Allocate `bytes` (rounded up to 16), zero-filled; returns the byte address. */
  alloc(bytes: number): number {
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`arena: cannot allocate ${bytes} bytes`);
    const size = Math.max(ALIGN, align(bytes));
    let ptr = -1;
    for (let i = 0; i < this.free.length; i++) {
      const block = this.free[i];
      if (block.size < size) continue;
      ptr = block.start;
      if (block.size === size) this.free.splice(i, 1);
      else {
        block.start += size;
        block.size -= size;
      }
      break;
    }
    if (ptr < 0) {
      ptr = this.top;
      this.ensureCapacity(ptr + size);
      this.top += size;
    }
    this.used.set(ptr, size);
    new Uint8Array(this.memory.buffer(), ptr, size).fill(0);
    return ptr;
  }

  /** Return a block from `alloc` to the arena. */
  release(ptr: number): void {
    const size = this.used.get(ptr);
    if (size === undefined) throw new Error(`arena: ${ptr} is not an allocated block (double free?)`);
    this.used.delete(ptr);
    let i = 0;
    while (i < this.free.length && this.free[i].start < ptr) i++;
    this.free.splice(i, 0, { start: ptr, size });
    // Coalesce with the next block, then with the previous one.
    if (i + 1 < this.free.length && ptr + size === this.free[i + 1].start) {
      this.free[i].size += this.free[i + 1].size;
      this.free.splice(i + 1, 1);
    }
    if (i > 0 && this.free[i - 1].start + this.free[i - 1].size === ptr) {
      this.free[i - 1].size += this.free[i].size;
      this.free.splice(i, 1);
      i--;
    }
    // A free block that ends at the top gives its space back to the bump region.
    const last = this.free[this.free.length - 1];
    if (last.start + last.size === this.top) {
      this.top = last.start;
      this.free.pop();
    }
  }

  /** A typed view of `length` elements at `ptr`. Valid until the memory grows; use ArenaArray to keep one. */
  view<K extends ElementKind>(kind: K, ptr: number, length: number): ViewOf<K> {
    const buffer = this.memory.buffer();
    switch (kind) {
      case 'f32': return new Float32Array(buffer, ptr, length) as ViewOf<K>;
      case 'f64': return new Float64Array(buffer, ptr, length) as ViewOf<K>;
      case 'i32': return new Int32Array(buffer, ptr, length) as ViewOf<K>;
      default: return new Uint8Array(buffer, ptr, length) as ViewOf<K>;
    }
  }

  /** Allocate an array of `length` elements of `kind` with a view that follows memory growth. */
  array<K extends ElementKind>(kind: K, length: number): ArenaArray<K> {
    return new ArenaArray(this, kind, this.alloc(length * BYTES[kind]), length);
  }

  /** The current buffer (changes identity when the memory grows). */
  buffer(): ArrayBufferLike {
    return this.memory.buffer();
  }

  private ensureCapacity(end: number): void {
    const have = this.memory.buffer().byteLength;
    if (end <= have) return;
    // Grow geometrically (at least 1/8 of the current size) so repeated small growths stay rare.
    const needed = Math.ceil((end - have) / PAGE);
    const pages = Math.max(needed, Math.ceil(have / PAGE / 8));
    try {
      this.memory.grow(pages);
    } catch {
      this.memory.grow(needed);
    }
  }
}

/** An arena block seen as a typed array; `view` is re-created transparently after the memory grows. */
export class ArenaArray<K extends ElementKind> {
  private cached: ViewOf<K>;
  private released = false;

  constructor(private readonly arena: Arena, readonly kind: K, readonly ptr: number, readonly length: number) {
    this.cached = arena.view(kind, ptr, length);
  }

  get view(): ViewOf<K> {
    if (this.released) throw new Error('arena: use of a released buffer');
    if (this.cached.buffer !== this.arena.buffer()) this.cached = this.arena.view(this.kind, this.ptr, this.length);
    return this.cached;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.arena.release(this.ptr);
  }
}

function align(bytes: number): number {
  return Math.ceil(bytes / ALIGN) * ALIGN;
}

/** Scratch of varying length (e.g. a batch of unknown size): reallocated only when a larger length is asked for. */
export class GrowableArenaArray<K extends ElementKind> {
  private current: ArenaArray<K> | undefined;

  constructor(private readonly arena: Arena, readonly kind: K) {}

  /** An array of at least `length` elements (contents are not preserved across a reallocation). */
  ensure(length: number): ArenaArray<K> {
    if (this.current === undefined || this.current.length < length) {
      this.current?.release();
      this.current = this.arena.array(this.kind, Math.max(1, length));
    }
    return this.current;
  }

  release(): void {
    this.current?.release();
    this.current = undefined;
  }
}
