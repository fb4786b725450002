// TensorBoard event files, read back by an independent reader of the format written here (TFRecord framing with
// masked CRC-32C, Event and Summary protobufs), and the SB3 time keys of training: cumulative fps,
// time_elapsed (also in the CSV), wall-clock timestamps.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readLog } from '../sdk/run/logger.js';
import { crc32c, TensorBoardWriter } from '../sdk/run/tensorboard.js';
import { trainRun } from '../sdk/trpo/run.js';
import { TRPO } from '../sdk/trpo/trpo.js';

/** Bit-by-bit CRC-32C (no table), the reader's own. */
function crc32cBitwise(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0x82f63b78 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

const unmask = (masked: number): number => {
  const rotated = (masked - 0xa282ead8) >>> 0;
  return ((rotated >>> 17) | (rotated << 15)) >>> 0;
};

interface Field { field: number; wire: number; value: bigint | Uint8Array }

function protoFields(bytes: Uint8Array): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const b = bytes[pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return result;
    }
  };
  while (pos < bytes.length) {
    const key = Number(varint());
    const field = key >> 3;
    const wire = key & 7;
    if (wire === 0) fields.push({ field, wire, value: varint() });
    else if (wire === 1) fields.push({ field, wire, value: bytes.slice(pos, (pos += 8)) });
    else if (wire === 5) fields.push({ field, wire, value: bytes.slice(pos, (pos += 4)) });
    else if (wire === 2) {
      const length = Number(varint());
      fields.push({ field, wire, value: bytes.slice(pos, (pos += length)) });
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return fields;
}

interface Event { wallTime: number; step: number; fileVersion?: string; scalars: Record<string, number> }

/** Every event of an event file; throws on a bad length or data checksum. */
function readEvents(file: string): Event[] {
  const buffer = fs.readFileSync(file);
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const events: Event[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const length = Number(view.getBigUint64(pos, true));
    if (unmask(view.getUint32(pos + 8, true)) !== crc32cBitwise(bytes.subarray(pos, pos + 8))) throw new Error(`bad length CRC at ${pos}`);
    const data = bytes.subarray(pos + 12, pos + 12 + length);
    if (unmask(view.getUint32(pos + 12 + length, true)) !== crc32cBitwise(data)) throw new Error(`bad data CRC at ${pos}`);
    pos += 16 + length;
    const event: Event = { wallTime: NaN, step: 0, scalars: {} };
    for (const f of protoFields(data)) {
      const raw = f.value as Uint8Array;
      if (f.field === 1 && f.wire === 1) event.wallTime = new DataView(raw.buffer, raw.byteOffset).getFloat64(0, true);
      else if (f.field === 2 && f.wire === 0) event.step = Number(BigInt.asIntN(64, f.value as bigint));
      else if (f.field === 3 && f.wire === 2) event.fileVersion = new TextDecoder().decode(raw);
      else if (f.field === 5 && f.wire === 2) {
        for (const value of protoFields(raw).filter((v) => v.field === 1)) {
          const parts = protoFields(value.value as Uint8Array);
          const tag = new TextDecoder().decode(parts.find((p) => p.field === 1)!.value as Uint8Array);
          const simple = parts.find((p) => p.field === 2 && p.wire === 5)!.value as Uint8Array;
          event.scalars[tag] = new DataView(simple.buffer, simple.byteOffset).getFloat32(0, true);
        }
      }
    }
    events.push(event);
  }
  return events;
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trpo-tb-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('CRC-32C', () => {
  // RFC 3720 (iSCSI) appendix B.4 and the common check value.
  const vectors: [string, Uint8Array, number][] = [
    ['"123456789"', new TextEncoder().encode('123456789'), 0xe3069283],
    ['32 zero bytes', new Uint8Array(32), 0x8a9136aa],
    ['32 bytes 0xff', new Uint8Array(32).fill(0xff), 0x62a8ab43],
    ['bytes 0..31', Uint8Array.from({ length: 32 }, (_, i) => i), 0x46dd794e],
    ['bytes 31..0', Uint8Array.from({ length: 32 }, (_, i) => 31 - i), 0x113fdb5c],
  ];
  for (const [name, bytes, expected] of vectors) {
    it(`${name} → 0x${expected.toString(16)} (writer and test reader)`, () => {
      expect(crc32c(bytes)).to.equal(expected);
      expect(crc32cBitwise(bytes)).to.equal(expected);
    });
  }
});

describe('TensorBoard event files', () => {
  it('start with a file_version event, then one event per call with the finite scalars', () => {
    let t = 1_700_000_000_000;
    const writer = new TensorBoardWriter(path.join(dir, 'run'), () => (t += 250));
    writer.addScalars(128, { 'rollout/ep_rew_mean': 21.5, 'train/is_line_search_success': true, 'train/kl_divergence': NaN, 'train/skip_reason': 'x' });
    writer.addScalars(2 ** 40, { 'time/fps': 1234.5 });
    expect(path.basename(writer.filePath)).to.match(/^events\.out\.tfevents\.\d+\./);
    const events = readEvents(writer.filePath);
    expect(events.map((e) => e.fileVersion)).to.deep.equal(['brain.Event:2', undefined, undefined]);
    expect(events[1]).to.deep.include({ step: 128, scalars: { 'rollout/ep_rew_mean': 21.5, 'train/is_line_search_success': 1 } });
    expect(events[2]).to.deep.include({ step: 2 ** 40, scalars: { 'time/fps': 1234.5 } });
    expect(events.map((e) => e.wallTime)).to.deep.equal([1_700_000_000.25, 1_700_000_000.5, 1_700_000_000.75]);
  });

  it('a damaged byte is caught by the reader (the checksums are real)', () => {
    const writer = new TensorBoardWriter(dir);
    writer.addScalars(1, { a: 1 });
    const bytes = fs.readFileSync(writer.filePath);
    bytes[bytes.length - 6] ^= 0x40;
    fs.writeFileSync(writer.filePath, bytes);
    expect(() => readEvents(writer.filePath)).to.throw(/bad data CRC/);
  });
});

describe('training logs like SB3', function () {
  this.timeout(120_000);

  it('learn({ tensorboardLog }) writes TRPO_1, then TRPO_2; fps is cumulative; timestamps are wall-clock', async () => {
    const agent = new TRPO({ env: 'CartPole-v1', numEnvs: 1, numWorkers: 0, nSteps: 64 });
    const metrics: Record<string, unknown>[] = [];
    const before = Date.now();
    await agent.learn({ totalTimesteps: 192, tensorboardLog: dir, callbacks: { onIteration: (m) => void metrics.push(m) } });
    await agent.learn({ totalTimesteps: 256, tensorboardLog: dir });
    await agent.close();
    expect(fs.readdirSync(dir).sort()).to.deep.equal(['TRPO_1', 'TRPO_2']);
    const [file] = fs.readdirSync(path.join(dir, 'TRPO_1'));
    const events = readEvents(path.join(dir, 'TRPO_1', file)).slice(1);
    expect(events.map((e) => e.step)).to.deep.equal([64, 128, 192]);
    expect(events[2].scalars['time/total_timesteps']).to.equal(192);
    expect(events[2].scalars['rollout/ep_rew_mean']).to.be.closeTo(metrics[2]['rollout/ep_rew_mean'] as number, 1e-4);
    for (const m of metrics) {
      const elapsed = m['time/time_elapsed'] as number;
      expect(m['time/fps'] as number).to.be.closeTo((m['time/total_timesteps'] as number) / elapsed, 1e-6);
      expect(Date.parse(m['time/timestamp'] as string)).to.be.within(before, Date.now());
    }
    const elapsed = metrics.map((m) => m['time/time_elapsed'] as number);
    expect(elapsed).to.deep.equal([...elapsed].sort((a, b) => a - b));
  });

  it('trainRun fills time/time_elapsed in the CSV and writes TensorBoard under the run name', async () => {
    const out = path.join(dir, 'cart-0');
    await trainRun({ options: { env: 'CartPole-v1', numEnvs: 1, numWorkers: 0, nSteps: 64 }, totalTimesteps: 128, out, csv: true, evalEpisodes: 0, tensorboardLog: path.join(dir, 'tb') });
    const [header, ...rows] = fs.readFileSync(path.join(out, 'progress.csv'), 'utf8').trim().split('\n');
    const column = header.split(',').indexOf('time/time_elapsed');
    expect(column).to.be.at.least(0);
    for (const row of rows) expect(Number(row.split(',')[column])).to.be.above(0);
    expect(readLog(path.join(out, 'progress.jsonl')).map((r) => typeof r['time/timestamp'])).to.deep.equal(['string', 'string']);
    expect(fs.readdirSync(path.join(dir, 'tb'))).to.deep.equal(['cart-0_1']);
  });
});
