// The package version, read from package.json once so the two can never disagree.
import { readFileSync } from 'node:fs';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** trpo-wasm's version (package.json). */
export const version: string = packageJson.version;
