#!/usr/bin/env node
// The `trpo` command (package bin). All logic lives in ./cli/; this file wires it to the process.

import { exitWithParent, handleInterrupts } from './cli/interrupt.js';
import { main } from './cli/main.js';

exitWithParent();
const interrupts = handleInterrupts();
try {
  process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: interrupts.signal });
} finally {
  interrupts.dispose();
}
