// The layering rules must catch what they are for: run dependency-cruiser with the project's own
// configuration on a small tree that breaks them on purpose.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/layering/', import.meta.url));

function cruise(cwd: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [
    `${root}node_modules/dependency-cruiser/bin/dependency-cruise.mjs`, 'src', '--config', `${root}.dependency-cruiser.cjs`, '--output-type', 'err',
  ], { cwd, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('layering rules', function () {
  this.timeout(30_000);

  it('fail when the domain imports Node built-ins or the store, or the gateway imports the store', () => {
    const { status, output } = cruise(fixture);
    expect(status).to.not.equal(0);
    expect(output).to.match(/domain-is-pure: src\/domain\/impure\.ts → node:fs|domain-is-pure: src\/domain\/impure\.ts → fs/);
    expect(output).to.include('domain-is-pure: src/domain/impure.ts → src/store/db.ts');
    expect(output).to.include('boundary-has-no-database: src/gateway/leak.ts → src/store/db.ts');
  });

  it('allow imports that follow the arrows', () => {
    const { output } = cruise(fixture);
    expect(output).to.not.include('src/domain/pure.ts →');
    expect(output).to.not.include('src/portal/ok.ts →');
  });

  it('pass on the project itself', () => {
    const { status, output } = cruise(root);
    expect(status, output).to.equal(0);
  });
});
