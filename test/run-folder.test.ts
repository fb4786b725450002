// The run folder's owner in isolation: the atomic write, the lock (exclusive, stale takeover, other hosts,
// hand-over to a child), which folders count as ours, config.json's hand-edit check, and file-system errors
// that name the path and the fix.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { removeTempFiles, writeFileAtomic } from '../sdk/run/atomic.js';
import { explainFsError, explainingFsErrorsSync } from '../sdk/run/fs-errors.js';
import { acquireLock, inspectLock, LOCK_FILE, RunLockedError } from '../sdk/run/lock.js';
import { inspectRunFolder, RunFolder, runDataFolderOf } from '../sdk/run/run-folder.js';
import { saveCheckpoint } from '../sdk/run/checkpoint.js';
import { RunLogger } from '../sdk/run/logger.js';

/** A pid that is certainly not running: a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

function writeLock(dir: string, fields: Record<string, unknown>): void {
  fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({
    pid: process.pid, host: os.hostname(), processStart: null, token: 'abc', command: 'trpo train', startedAt: '2026-01-01T00:00:00.000Z', ...fields,
  }));
}

describe('run folder', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trpo-run-folder-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('writeFileAtomic', () => {
    it('replaces a file whole and leaves no temp file', () => {
      const file = path.join(dir, 'a.json');
      writeFileAtomic(file, 'one');
      writeFileAtomic(file, 'two');
      expect(fs.readFileSync(file, 'utf8')).to.equal('two');
      expect(fs.readdirSync(dir)).to.deep.equal(['a.json']);
    });

    it('with overwrite: false refuses an existing file and leaves it untouched', () => {
      const file = path.join(dir, 'user.onnx');
      fs.writeFileSync(file, 'the user\'s file');
      expect(() => writeFileAtomic(file, 'ours', { overwrite: false })).to.throw(/Refusing to overwrite .*user\.onnx: the file exists/);
      expect(fs.readFileSync(file, 'utf8')).to.equal('the user\'s file');
      expect(fs.readdirSync(dir)).to.deep.equal(['user.onnx']);
      writeFileAtomic(path.join(dir, 'new.onnx'), 'ours', { overwrite: false });
      expect(fs.readFileSync(path.join(dir, 'new.onnx'), 'utf8')).to.equal('ours');
    });

    it('names the path and the fix when the folder is missing', () => {
      expect(() => writeFileAtomic(path.join(dir, 'no', 'such', 'x.json'), '{}')).to.throw(/Cannot write .*x\.json: no such file or folder \(ENOENT\)\. Fix: check the path/);
    });

    it('removeTempFiles sweeps the temp files of interrupted writes only', () => {
      fs.writeFileSync(path.join(dir, '.config.json.tmp-123-abcd'), 'partial');
      fs.writeFileSync(path.join(dir, 'config.json'), '{}');
      removeTempFiles(dir);
      expect(fs.readdirSync(dir)).to.deep.equal(['config.json']);
    });
  });

  describe('file-system errors name the path and the fix', () => {
    const cases: Array<[string, RegExp]> = [
      ['ENOSPC', /^Cannot write \/runs\/x\/progress\.jsonl: the disk is full \(ENOSPC\)\. Fix: free some space/],
      ['EACCES', /^Cannot write \/runs\/x\/progress\.jsonl: permission denied \(EACCES\)\. Fix: choose a folder you can write to/],
      ['EEXIST', /^Cannot write \/runs\/x\/progress\.jsonl: it already exists \(EEXIST\)\. Fix: choose another path/],
      ['ENOENT', /^Cannot write \/runs\/x\/progress\.jsonl: no such file or folder \(ENOENT\)/],
    ];
    for (const [code, message] of cases) {
      it(code, () => {
        const raw = Object.assign(new Error(`${code}: raw text, write`), { code });
        expect((explainFsError(raw, 'write', '/runs/x/progress.jsonl') as Error).message).to.match(message);
      });
    }

    it('a real ENOSPC (/dev/full) is explained with the file', function () {
      if (!fs.existsSync('/dev/full')) this.skip();
      expect(() => explainingFsErrorsSync('write', '/dev/full', () => fs.writeFileSync('/dev/full', 'x'))).to.throw(/Cannot write \/dev\/full: the disk is full \(ENOSPC\)/);
    });

    it('a full disk under the progress log is reported with the log file', function () {
      if (!fs.existsSync('/dev/full')) this.skip();
      const logger = RunLogger.open({ jsonlPath: '/dev/full' });
      try {
        expect(() => logger.log({ 'time/iterations': 1 })).to.throw(/^Cannot append to \/dev\/full: the disk is full \(ENOSPC\)\. Fix: free some space/);
      } finally {
        logger.close();
      }
    });
  });

  describe('lock', () => {
    it('is exclusive: a second holder is refused, naming the owner and the way out', () => {
      const lock = acquireLock(dir, { command: 'trpo train' });
      expect(() => acquireLock(dir, { command: 'trpo sweep' })).to.throw(RunLockedError, new RegExp(`in use by another process: trpo train \\(pid ${process.pid}.*kill -INT ${process.pid}`));
      const owner = JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8'));
      expect(owner).to.include({ pid: process.pid, host: os.hostname(), command: 'trpo train' });
      expect(owner.startedAt).to.match(/^\d{4}-\d\d-\d\dT/);
      lock.release();
      expect(fs.existsSync(path.join(dir, LOCK_FILE))).to.equal(false);
      acquireLock(dir, { command: 'again' }).release();
    });

    it('takes over a stale lock of a dead process, and says so', () => {
      const pid = deadPid();
      writeLock(dir, { pid });
      expect(inspectLock(dir)?.state).to.equal('stale');
      const notices: string[] = [];
      const lock = acquireLock(dir, { command: 'trpo train', notice: (m) => notices.push(m) });
      expect(notices.join('\n')).to.match(new RegExp(`pid ${pid}.*no longer running; taking over its lock`));
      expect(JSON.parse(fs.readFileSync(lock.file, 'utf8')).pid).to.equal(process.pid);
      lock.release();
    });

    it('treats a running pid with another start time as a reused pid: stale', function () {
      if (!fs.existsSync('/proc/self/stat')) this.skip();
      writeLock(dir, { pid: process.pid, processStart: '1' });
      expect(inspectLock(dir)?.state).to.equal('stale');
    });

    it('refuses a lock from another host, naming the file to delete', () => {
      writeLock(dir, { host: 'other-machine', pid: 4242 });
      expect(() => acquireLock(dir, { command: 'trpo train' })).to.throw(RunLockedError, /locked by trpo train on host other-machine \(pid 4242.*If it does not, delete .*lock\.json/);
    });

    it('hands a held lock over to a child that has its token, with no gap', () => {
      const parent = acquireLock(dir, { command: 'trpo sweep' });
      const child = acquireLock(dir, { command: 'trpo train', inheritToken: parent.info.token });
      expect(JSON.parse(fs.readFileSync(child.file, 'utf8')).command).to.equal('trpo train');
      parent.release(); // no longer the parent's: left alone
      expect(fs.existsSync(child.file)).to.equal(true);
      child.release();
      expect(fs.existsSync(child.file)).to.equal(false);
    });
  });

  describe('which folders are ours', () => {
    it('refuses a folder holding the user\'s own files, and writes nothing into it', () => {
      fs.writeFileSync(path.join(dir, 'config.json'), '{"mine": true}');
      expect(inspectRunFolder(dir)).to.deep.equal({ kind: 'foreign', entries: ['config.json'] });
      expect(() => RunFolder.open(dir, { command: 'trpo train' })).to.throw(/is not empty and is not a trpo-wasm run folder \(it holds config\.json\); nothing was written/);
      expect(fs.readdirSync(dir)).to.deep.equal(['config.json']);
      expect(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).to.equal('{"mine": true}');
    });

    it('refuses a file given as the run folder', () => {
      const file = path.join(dir, 'afile');
      fs.writeFileSync(file, 'x');
      expect(() => RunFolder.open(file, { command: 'trpo train' })).to.throw(/afile is a file, not a folder/);
    });

    it('opens an empty or new folder, marks it and locks it', () => {
      const run = path.join(dir, 'new-run');
      const folder = RunFolder.open(run, { command: 'trpo train' });
      expect(fs.readdirSync(run).sort()).to.deep.equal(['lock.json', 'run.json']);
      expect(inspectRunFolder(run)).to.deep.include({ kind: 'run', finished: false });
      folder.release();
      expect(fs.readdirSync(run)).to.deep.equal(['run.json']);
    });

    it('detects a hand-edited config.json and neither uses nor overwrites it', () => {
      const folder = RunFolder.open(dir, { command: 'trpo train' });
      folder.writeConfig({ env: 'CartPole-v1', seed: 3, totalTimesteps: 4096 });
      expect(folder.readConfig()).to.deep.equal({ env: 'CartPole-v1', seed: 3, totalTimesteps: 4096 });
      const edited = JSON.stringify({ env: 'CartPole-v1', seed: 4, totalTimesteps: 4096 });
      fs.writeFileSync(path.join(dir, 'config.json'), edited);
      expect(() => folder.readConfig()).to.throw(/config\.json was changed after trpo wrote it.*not used and not overwritten/s);
      expect(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).to.equal(edited);
      folder.release();
    });

    it('names a saved model or checkpoint folder as no place for an export', async () => {
      const run = path.join(dir, 'run');
      RunFolder.open(run, { command: 'test' }).release();
      await saveCheckpoint(path.join(run, 'checkpoints'), { iteration: 1, timesteps: 10, json: { config: {} }, arrays: {} });
      expect(runDataFolderOf(path.join(run, 'checkpoints', '000001', 'policy.f64'))).to.equal(path.join(run, 'checkpoints', '000001'));
      expect(runDataFolderOf(path.join(run, 'checkpoints', 'x.onnx'))).to.equal(path.join(run, 'checkpoints'));
      expect(runDataFolderOf(path.join(run, 'policy.onnx'))).to.equal(undefined);
    });
  });
});
