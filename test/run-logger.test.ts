import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunLogger, readLog, SB3_LOG_KEYS, type LogRecord } from '../sdk/run/logger.js';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'trpo-logger-'));
}

function iterationRecord(i: number): LogRecord {
  return {
    'time/iterations': i,
    'time/total_timesteps': 2048 * i,
    'time/fps': 10000 + i,
    'rollout/ep_rew_mean': 100.5 * i,
    'train/kl_divergence': 0.0081 + i * 1e-5,
    'train/is_line_search_success': i % 2 === 0,
  };
}

describe('RunLogger and readLog', () => {
  let dir: string;
  beforeEach(() => { dir = tempDir(); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes one JSONL line per iteration, readable back exactly (non-finite numbers included)', () => {
    const jsonlPath = path.join(dir, 'nested', 'progress.jsonl');
    const logger = RunLogger.open({ jsonlPath });
    const records = [1, 2, 3].map(iterationRecord);
    records[1]['train/kl_divergence'] = NaN; // a skipped step
    records[2]['train/cg_residual'] = Infinity;
    records[2]['note'] = 'line search failed, θ kept';
    records[2]['train/value_loss'] = undefined; // absent keys are left out
    for (const r of records) logger.log(r);
    // Flushed before close: another reader sees every line now.
    expect(fs.readFileSync(jsonlPath, 'utf8').split('\n')).to.have.length(4);
    logger.close();
    const back = readLog(jsonlPath);
    expect(back).to.have.length(3);
    expect(back[0]).to.deep.equal(records[0]);
    expect(back[1]['train/kl_divergence']).to.be.NaN;
    expect(back[2]['train/cg_residual']).to.equal(Infinity);
    expect(back[2]['note']).to.equal('line search failed, θ kept');
    expect(back[2]).to.not.have.property('train/value_loss');
  });

  it('skips a torn last line but refuses a corrupt line in the middle, naming file and line', () => {
    const p = path.join(dir, 'log.jsonl');
    fs.writeFileSync(p, '{"a":1}\n{"a":2}\n{"a":3,"b":0.12');
    expect(readLog(p)).to.deep.equal([{ a: 1 }, { a: 2 }]);
    fs.writeFileSync(p, '{"a":1}\n{"a":2}'); // complete JSON without final newline is kept
    expect(readLog(p)).to.deep.equal([{ a: 1 }, { a: 2 }]);
    fs.writeFileSync(p, '{"a":1}\n{"a":\n{"a":3}\n');
    expect(() => readLog(p)).to.throw(SyntaxError, /log\.jsonl:2: not a JSON log record/);
    fs.writeFileSync(p, '[1,2]\n');
    expect(() => readLog(p)).to.throw(/log\.jsonl:1: a log record must be a JSON object/);
  });

  it('writes a CSV with SB3 columns first, a single header, and widens it when new keys appear', () => {
    const jsonlPath = path.join(dir, 'progress.jsonl');
    const csvPath = path.join(dir, 'progress.csv');
    const logger = RunLogger.open({ jsonlPath, csvPath });
    logger.log(iterationRecord(1));
    logger.log({ ...iterationRecord(2), 'custom/a': 'x,"y"' });
    logger.log(iterationRecord(3));
    logger.close();
    const lines = fs.readFileSync(csvPath, 'utf8').trimEnd().split('\n');
    expect(lines).to.have.length(4); // one header + three rows
    const header = lines[0].split(',');
    expect(header).to.deep.equal([...SB3_LOG_KEYS, 'custom/a']);
    const col = (name: string) => header.indexOf(name);
    const row1 = lines[1].split(',');
    expect(row1).to.have.length(header.length); // old row padded to the new width
    expect(row1[col('time/iterations')]).to.equal('1');
    expect(row1[col('train/is_line_search_success')]).to.equal('false');
    expect(row1[col('train/value_loss')]).to.equal('');
    expect(lines[2].endsWith(',"x,""y"""')).to.equal(true); // RFC 4180 quoting
    expect(lines[3].split(',')[col('time/total_timesteps')]).to.equal('6144');
  });

  it('on resume drops records after the checkpoint and a torn tail, then continues both files', () => {
    const jsonlPath = path.join(dir, 'progress.jsonl');
    const csvPath = path.join(dir, 'progress.csv');
    const first = RunLogger.open({ jsonlPath, csvPath });
    for (const i of [1, 2, 3, 4]) first.log(iterationRecord(i));
    first.close();
    fs.appendFileSync(jsonlPath, '{"time/iterations":5,"time/fp'); // crash mid-write
    const resumed = RunLogger.open({ jsonlPath, csvPath, resumeAfterIteration: 2 });
    resumed.log(iterationRecord(3));
    resumed.close();
    expect(readLog(jsonlPath).map((r) => r['time/iterations'])).to.deep.equal([1, 2, 3]);
    const csvRows = fs.readFileSync(csvPath, 'utf8').trimEnd().split('\n').slice(1);
    expect(csvRows.map((l) => l.split(',')[0])).to.deep.equal(['1', '2', '3']);
  });

  it('starts afresh without resumeAfterIteration, and rejects bad values naming the key', () => {
    const jsonlPath = path.join(dir, 'progress.jsonl');
    fs.writeFileSync(jsonlPath, '{"old":1}\n');
    const logger = RunLogger.open({ jsonlPath });
    expect(() => logger.log({ 'train/value_loss': [1, 2] as unknown as number })).to.throw(
      TypeError,
      /"train\/value_loss" is an array; use a number, boolean, string or null/,
    );
    logger.close();
    expect(readLog(jsonlPath)).to.deep.equal([]);
    expect(() => RunLogger.open({ jsonlPath, resumeAfterIteration: -1 })).to.throw(/resumeAfterIteration/);
  });
});
