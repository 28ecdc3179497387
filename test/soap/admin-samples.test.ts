// The sample messages of BillingAdminService and OperationsService (fixtures/soap/<Service>/)
// validate against their contracts, judged by wsdl-lint (xmllint); skipped without the tool,
// except under CI, as in test/wsdl/contracts.test.ts.

import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const lint = path.resolve(repoRoot, '..', 'shared', 'interop', 'wsdl-lint');

describe('BillingAdminService and OperationsService samples', function () {
  this.timeout(120_000);
  before(function () {
    if (!existsSync(lint) || !existsSync('/usr/bin/xmllint')) {
      if (process.env.CI) throw new Error('wsdl-lint or xmllint missing (Debian packages python3-lxml libxml2-utils)');
      console.warn('  samples not validated: ../shared/interop/wsdl-lint or xmllint (libxml2-utils) missing');
      this.skip();
    }
  });

  for (const service of ['BillingAdminService', 'OperationsService']) {
    it(`${service}: every sample validates against the contract`, async () => {
      const dir = path.join(repoRoot, 'fixtures', 'soap', service);
      const samples = readdirSync(dir).filter((f) => f.endsWith('.xml')).sort();
      expect(samples.length).to.be.greaterThan(0);
      const args = [path.join(repoRoot, 'wsdl', `${service}.wsdl`), ...samples.flatMap((f) => ['--instance', path.join(dir, f)])];
      const stdout = await new Promise<string>((resolve) => execFile(lint, args, { maxBuffer: 8 << 20 }, (_e, out) => resolve(out)));
      const lines = stdout.split('\n').filter((l) => /^(PASS|FAIL)\s+instance\s/.test(l));
      for (const file of samples) {
        const mine = lines.filter((l) => l.includes(` ${file}: `));
        expect(mine, `${file}\n${stdout}`).to.have.length.greaterThan(0);
        expect(mine.filter((l) => l.startsWith('FAIL')), file).to.deep.equal([]);
      }
    });
  }
});
