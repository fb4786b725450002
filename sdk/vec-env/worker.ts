// Entry point of a vector-env worker thread: builds its EnvGroup (own MuJoCo instance, own kernels) from
// workerData, reports 'ready' with the spaces, then runs one command per message (see backends.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { COMMANDS, runCommand, serializeError, type WorkerReply, type WorkerRequest } from './backends.js';
import type { GroupConfig } from './commands.js';
import { EnvGroup } from './env-group.js';

if (parentPort === null) throw new Error('sdk/vec-env/worker.js must be started as a worker thread');
const port = parentPort;
const post = (reply: WorkerReply): void => port.postMessage(reply);

try {
  const group = await EnvGroup.create(workerData as GroupConfig);
  port.on('message', async ({ id, cmd, arg }: WorkerRequest) => {
    try {
      if (!COMMANDS.includes(cmd)) throw new Error(`unknown command ${cmd}`);
      const value = await runCommand(group, cmd, arg as never);
      post({ type: 'reply', id, ok: true, value });
    } catch (error) {
      post({ type: 'reply', id, ok: false, error: serializeError(error) });
    }
  });
  post({ type: 'ready', spaces: group.spaces, dims: group.dims });
} catch (error) {
  post({ type: 'failed', error: serializeError(error) });
}
