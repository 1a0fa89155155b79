// Dependency rules from docs ARCHITECTURE.md (packages, layers) and CONVENTIONS.md (layout).
// Run: npm run deps  (= depcruise packages --config .dependency-cruiser.cjs)
// Paths are relative to the repository root; node_modules/@osiris/* symlinks resolve to packages/*.

const CENTRAL = '^packages/central/src/';
const FASTIFY = ['^node_modules/fastify/', '^node_modules/fastify-type-provider-zod/', '^node_modules/@fastify/'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'protocol-pure',
      severity: 'error',
      comment:
        'packages/protocol runs in Node and the browser: it may import only zod, fflate (pure-JS unzip ' +
        'of auditor exports), @bufbuild/protobuf (runtime of the generated agent gRPC contract, pure JS) ' +
        'and its own files (no node: builtins, no other packages).',
      from: { path: '^packages/protocol/', pathNot: '\\.test\\.ts$' },
      to: {
        pathNot: [
          '^packages/protocol/',
          '^node_modules/zod/',
          '^node_modules/fflate/',
          '^node_modules/@bufbuild/protobuf/',
        ],
      },
    },
    {
      name: 'protocol-tests-pure',
      severity: 'error',
      comment: 'Tests beside protocol code are pure logic: zod, fflate, @bufbuild/protobuf, vitest and protocol only.',
      from: { path: '^packages/protocol/.+\\.test\\.ts$' },
      to: {
        pathNot: [
          '^packages/protocol/',
          '^node_modules/zod/',
          '^node_modules/fflate/',
          '^node_modules/@bufbuild/protobuf/',
          '^node_modules/vitest/',
        ],
      },
    },
    {
      name: 'nothing-imports-lab',
      severity: 'error',
      comment: 'packages/lab drives the whole system from outside; no package may depend on it.',
      from: { path: '^packages/', pathNot: '^packages/lab/' },
      to: { path: '^packages/lab/' },
    },
    {
      name: 'no-relative-cross-package',
      severity: 'error',
      comment:
        "A package uses another only through its public exports (import '@osiris/<name>'), " +
        "never by a relative path into the other package's files (src/ or anything else).",
      from: { path: '^packages/([^/]+)/' },
      to: { path: '^packages/', pathNot: '^packages/$1/', dependencyTypes: ['local'] },
    },
    {
      name: 'routes-not-store',
      severity: 'error',
      comment: 'Routes never touch SQL: a *.routes.ts calls its service, never a *.store.ts.',
      from: { path: `${CENTRAL}.+\\.routes\\.ts$` },
      to: { path: '\\.store\\.ts$' },
    },
    {
      name: 'service-no-fastify',
      severity: 'error',
      comment:
        'Services never see Fastify: a *.service.ts may not import fastify, @fastify/* or the zod type provider.',
      from: { path: `${CENTRAL}.+\\.service\\.ts$` },
      to: { path: FASTIFY },
    },
    {
      name: 'store-not-service',
      severity: 'error',
      comment: 'Stores never call services: a *.store.ts may not import a *.service.ts.',
      from: { path: `${CENTRAL}.+\\.store\\.ts$` },
      to: { path: '\\.service\\.ts$' },
    },
    {
      name: 'module-boundaries',
      severity: 'error',
      comment:
        "A central module uses another only through that module's index.ts " +
        '(which exposes its service), never its routes, service, store or other internals directly.',
      from: { path: `${CENTRAL}modules/([^/]+)/` },
      to: {
        path: `${CENTRAL}modules/[^/]+/`,
        pathNot: [`${CENTRAL}modules/$1/`, `${CENTRAL}modules/[^/]+/index\\.ts$`],
      },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Circular dependencies make load order and layering ambiguous.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'Every import must resolve (missing file, missing package or a subpath the package does not export).',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^packages/[^/]+/(dist|coverage|data)/' },
    // Type-only imports count too: a service that imports Fastify *types* still sees Fastify.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['types', 'import', 'require', 'node', 'default'],
      mainFields: ['types', 'typings', 'module', 'main'],
      extensions: ['.ts', '.tsx', '.d.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json'],
    },
    skipAnalysisNotInRules: true,
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
