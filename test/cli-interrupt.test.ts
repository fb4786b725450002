import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { handleInterrupts } from '../sdk/cli/interrupt.js';

describe('handleInterrupts', () => {
  it('first signal aborts, second exits 130 (SIGINT) or 143 (SIGTERM); dispose stops listening', () => {
    for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      const source = new EventEmitter();
      let stderr = '';
      const exits: number[] = [];
      const handler = handleInterrupts({ source, stderr: { write: (s: string) => (stderr += s) }, exit: (c) => exits.push(c) });
      expect(handler.signal.aborted).to.equal(false);
      source.emit(signal);
      expect(handler.signal.aborted).to.equal(true);
      expect(exits).to.deep.equal([]);
      expect(stderr).to.match(/stopping after the current iteration and saving a checkpoint/);
      source.emit(signal);
      expect(exits).to.deep.equal([code]);
      handler.dispose();
      expect(source.listenerCount('SIGINT') + source.listenerCount('SIGTERM')).to.equal(0);
    }
  });

  // npx runs us under `sh -c`; npm forwards its signals only to that shell (see sdk/cli/interrupt.ts).
  const parentCases: Array<{ what: string; pids: number[]; wakeups: Array<number | undefined>; aborted: boolean; message?: RegExp }> = [
    { what: 'an idle parent shell', pids: [7, 7, 7, 7], wakeups: [3, 3, 3, 3], aborted: false },
    { what: 'a parent that is not a shell', pids: [7, 7, 7, 7], wakeups: [undefined, undefined, undefined, undefined], aborted: false },
    { what: 'the parent shell dying (SIGTERM to npx)', pids: [7, 7, 1, 1], wakeups: [3, 3, 3, 3], aborted: true, message: /parent process 7 ended/ },
    { what: 'the parent shell waking up (SIGINT to npx)', pids: [7, 7, 7, 7], wakeups: [3, 3, 4, 4], aborted: true, message: /npm's shell \(pid 7\) received a signal/ },
  ];
  for (const c of parentCases) {
    it(`under npm, watches the parent: ${c.what} → ${c.aborted ? 'stop' : 'keep going'}`, async () => {
      let pidCalls = 0;
      let wakeCalls = 0;
      let stderr = '';
      const handler = handleInterrupts({
        source: new EventEmitter(), stderr: { write: (t: string) => (stderr += t) }, exit: () => undefined, watchParent: true, parentPollMs: 5,
        parentPid: () => c.pids[Math.min(pidCalls++, c.pids.length - 1)],
        parentWakeups: () => c.wakeups[Math.min(wakeCalls++, c.wakeups.length - 1)],
      });
      await new Promise((resolve) => setTimeout(resolve, 60));
      handler.dispose();
      expect(handler.signal.aborted).to.equal(c.aborted);
      if (c.message) expect(stderr).to.match(c.message);
    });
  }

  it('in a real process: Ctrl-C once lets the work finish, twice exits with 130', async function () {
    this.timeout(20_000);
    const moduleUrl = new URL('../sdk/cli/interrupt.js', import.meta.url).href;
    // A stand-in for a training loop: reports the abort, then keeps "saving" until killed by a second SIGINT.
    const script = `
      import { handleInterrupts } from ${JSON.stringify(moduleUrl)};
      const { signal } = handleInterrupts();
      signal.addEventListener('abort', () => console.log('aborted'));
      console.log('ready');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const waitFor = (text: string) => new Promise<void>((resolve) => {
      const check = () => { if (stdout.includes(text)) { child.stdout.off('data', onData); resolve(); } };
      const onData = (chunk: Buffer) => { stdout += chunk.toString(); check(); };
      child.stdout.on('data', onData);
      check();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor('ready');
    child.kill('SIGINT');
    await waitFor('aborted');
    child.kill('SIGINT');
    expect(await exited).to.equal(130);
  });
});
