// The layering of DESIGN.md, enforced: arrows point one way, domain ← store ← usecases ←
// soap/console/cli; the gateway and the portal never touch the store or the use cases.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain is pure billing rules: it imports nothing outside src/domain, not even Node built-ins',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: '^src/domain/' },
    },
    {
      name: 'boundary-has-no-database',
      comment: 'the gateway and the portal live outside the internal zone: no store, no use cases',
      severity: 'error',
      from: { path: '^src/(gateway|portal)/' },
      to: { path: '^src/(store|usecases|console|soap)/' },
    },
    {
      name: 'store-below-usecases',
      comment: 'the store may use the domain, never the layers above it',
      severity: 'error',
      from: { path: '^src/store/' },
      to: { path: '^src/(usecases|soap|gateway|portal|console|cli)/' },
    },
    {
      name: 'usecases-below-adapters',
      comment: 'use cases do not know how they are called',
      severity: 'error',
      from: { path: '^src/usecases/' },
      to: { path: '^src/(soap|gateway|portal|console|cli)/' },
    },
    {
      name: 'contract-stands-alone',
      comment: 'src/contract is shared by the gateway and the core: it imports only its own files',
      severity: 'error',
      from: { path: '^src/contract/' },
      to: { path: '^src/', pathNot: '^src/(contract/|errors\\.ts$|limits\\.ts$)' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|test|bench)/' },
  },
};
