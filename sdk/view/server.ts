// The `trpo view` server: hands the page its files on 127.0.0.1 and nothing else — the simulation and the policy
// run in the browser. The kernels' memory is a shared WebAssembly.Memory, which browsers allow only on
// cross-origin isolated pages, hence the COOP/COEP headers on every response.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { readKernelBytes } from '../wasm/kernel-bytes.js';

/** What the page shows: an env and the policy file that drives it. */
export interface ViewSource {
  envId: string;
  envOptions: Record<string, unknown>;
  /** A trpo-wasm ONNX policy file (exported with stochastic outputs when sampling should be possible). */
  policyBytes: Uint8Array;
  /** Where the policy came from, shown in the page title. */
  label: string;
}

export interface ViewServerOptions {
  /** 0 = a free port chosen by the system. */
  port?: number;
  seed?: number;
  deterministic?: boolean;
  speed?: number;
}

export interface ViewServer {
  readonly url: string;
  close(): Promise<void>;
}

const VIEWER_DIR = new URL('../../viewer/', import.meta.url); // dist/sdk/view/ → dist/viewer/
const HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

export async function startViewServer(source: ViewSource, options: ViewServerOptions = {}): Promise<ViewServer> {
  const config = JSON.stringify({
    envId: source.envId,
    envOptions: source.envOptions,
    seed: options.seed ?? 0,
    deterministic: options.deterministic ?? true,
    speed: options.speed ?? 1,
    source: source.label,
  });
  const files: Record<string, { type: string; body: () => Uint8Array | string }> = {
    '/': { type: 'text/html; charset=utf-8', body: () => readViewerFile('index.html') },
    '/viewer.js': { type: 'text/javascript; charset=utf-8', body: () => readViewerFile('viewer.js') },
    '/viewer.js.map': { type: 'application/json', body: () => readViewerFile('viewer.js.map') },
    '/config.json': { type: 'application/json', body: () => config },
    '/policy.onnx': { type: 'application/octet-stream', body: () => source.policyBytes },
    '/kernels.wasm': { type: 'application/wasm', body: readKernelBytes },
    '/mujoco.wasm': { type: 'application/wasm', body: () => readFileSync(fileURLToPath(import.meta.resolve('@mujoco/mujoco/mujoco.wasm'))) },
  };
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const file = files[path === '/index.html' ? '/' : path];
    if (request.method !== 'GET' || file === undefined) {
      response.writeHead(404, HEADERS).end('not found');
      return;
    }
    try {
      const body = file.body();
      response.writeHead(200, { ...HEADERS, 'Content-Type': file.type }).end(body);
    } catch (error) {
      response.writeHead(500, HEADERS).end(String(error));
    }
  });
  await listen(server, options.port ?? 0);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function readViewerFile(name: string): Buffer {
  try {
    return readFileSync(new URL(name, VIEWER_DIR));
  } catch {
    throw new Error(`trpo view: ${fileURLToPath(new URL(name, VIEWER_DIR))} is missing; run \`npm run build:viewer\``);
  }
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new Error(`trpo view: port ${port} is in use; pick another with --port N, or omit --port for a free one`) : error);
    });
    server.listen(port, '127.0.0.1', () => resolve());
  });
}
