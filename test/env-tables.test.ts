// docs/envs.md is exactly what the envs' labels generate (`npm run docs:envs` rewrites it).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { envTablesMarkdown } from '../envs/tables.js';

describe('docs/envs.md', () => {
  it('matches the tables generated from the envs (run `npm run docs:envs` after changing an env)', async function () {
    this.timeout(60_000);
    const committed = readFileSync(new URL('../../docs/envs.md', import.meta.url), 'utf8');
    const generated = await envTablesMarkdown();
    expect(committed === generated, 'docs/envs.md is out of date: run `npm run build && npm run docs:envs`').to.equal(true);
    expect(generated).to.include('| 0 | qpos[1] torso position along z, slide joint rootz | m |');
    expect(generated).to.include('Control period dt = 0.008 s (125 Hz)');
  });
});
