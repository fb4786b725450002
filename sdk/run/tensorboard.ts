// TensorBoard event files, written directly (no TensorFlow): what `tensorboard --logdir DIR` reads.
//
// A file is a sequence of TFRecords: uint64 length (little-endian), uint32 masked CRC-32C of those 8 bytes, the
// data, uint32 masked CRC-32C of the data; masked(c) = ((c >>> 15) | (c << 17)) + 0xa282ead8 (mod 2³²). Each
// record's data is an `Event` protobuf: wall_time (field 1, double), step (2, int64), and either file_version
// (3, string; the first record says "brain.Event:2") or summary (5): `Summary { repeated Value value = 1 }` with
// `Value { string tag = 1; float simple_value = 2 }` — the scalar form TensorBoard's Scalars tab shows.
// Each record is appended with one synchronous call (no descriptor is held open between iterations), so a crash
// loses at most the record being written, and TensorBoard sees every iteration as soon as it is logged.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1; // Castagnoli polynomial, reflected
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli) of `bytes`. */
export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC32C_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function maskedCrc(bytes: Uint8Array): number {
  const c = crc32c(bytes);
  return (((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0;
}

/** Appends protobuf fields to a growing byte list. */
class ProtoWriter {
  readonly bytes: number[] = [];

  private varint(value: bigint | number): void {
    let v = BigInt(value);
    while (v >= 0x80n) {
      this.bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.bytes.push(Number(v));
  }

  private tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  double(field: number, value: number): void {
    this.tag(field, 1);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, value, true);
    this.bytes.push(...b);
  }

  float(field: number, value: number): void {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.bytes.push(...b);
  }

  int64(field: number, value: number): void {
    this.tag(field, 0);
    this.varint(BigInt.asUintN(64, BigInt(Math.trunc(value))));
  }

  bytesField(field: number, value: Uint8Array | number[]): void {
    this.tag(field, 2);
    this.varint(value.length);
    this.bytes.push(...value);
  }

  string(field: number, value: string): void {
    this.bytesField(field, new TextEncoder().encode(value));
  }
}

/** One TFRecord around `data`. */
export function tfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(16 + data.length);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc(data), true);
  return out;
}

/** SB3's layout: `<root>/<name>_<n>` with the first unused n ≥ 1, so runs sharing a log root stay apart. */
export function nextTensorBoardRunDir(root: string, name: string): string {
  const taken = new Set(fs.existsSync(root) ? fs.readdirSync(root) : []);
  let n = 1;
  while (taken.has(`${name}_${n}`)) n++;
  return path.join(root, `${name}_${n}`);
}

export class TensorBoardWriter {
  readonly filePath: string;
  private readonly now: () => number;

  /** Creates `dir` and a new event file in it (never overwrites: the name holds the time, host and pid). */
  constructor(dir: string, now: () => number = Date.now) {
    fs.mkdirSync(dir, { recursive: true });
    const start = now() / 1000;
    this.filePath = path.join(dir, `events.out.tfevents.${Math.floor(start)}.${os.hostname()}.${process.pid}.trpo-wasm`);
    fs.writeFileSync(this.filePath, new Uint8Array(0), { flag: 'wx' });
    this.now = now;
    const event = new ProtoWriter();
    event.double(1, start);
    event.string(3, 'brain.Event:2');
    this.write(event.bytes);
  }

  /** One event at `step` with every finite number (booleans as 0/1) of `scalars` as a scalar summary. */
  addScalars(step: number, scalars: Record<string, unknown>): void {
    const summary = new ProtoWriter();
    for (const [tag, raw] of Object.entries(scalars)) {
      const value = typeof raw === 'boolean' ? Number(raw) : raw;
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      const entry = new ProtoWriter();
      entry.string(1, tag);
      entry.float(2, value);
      summary.bytesField(1, entry.bytes);
    }
    const event = new ProtoWriter();
    event.double(1, this.now() / 1000);
    event.int64(2, step);
    event.bytesField(5, summary.bytes);
    this.write(event.bytes);
  }

  private write(data: number[]): void {
    fs.appendFileSync(this.filePath, tfRecord(Uint8Array.from(data)));
  }
}
