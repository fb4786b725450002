// npm run docs:envs — writes docs/envs.md from the built envs (run after `npm run build`).
import { writeFileSync } from 'node:fs';
import { envTablesMarkdown } from '../dist/envs/tables.js';

writeFileSync(new URL('../docs/envs.md', import.meta.url), await envTablesMarkdown());
console.log('wrote docs/envs.md');
