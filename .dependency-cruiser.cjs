// The layering rules of CONTRIBUTING.md ("Which folder may import which"), checked by
// `npm run lint:imports` (part of `npm test`). A rule broken names the import that breaks it.

/** functions/lib's folders, lowest first: a folder imports only from folders ranked below it. */
const LIB_LAYERS = [
  ['(errors|settings|config|metrics|concurrency|wildcards)[.]ts'],
  ['problems'],
  ['volume'],
  ['aws', 'kube'],
  ['workflow', 'health'],
  ['settle', 'repair', 'service'],
  ['sweep', 'events', 'http'],
];

const lib = (names) => `^functions/lib/(${names.join('|')})(/|$)`;

const layerRules = LIB_LAYERS.slice(0, -1).map((layer, rank) => ({
  name: `lib-layer-${rank}`,
  comment: `functions/lib/{${layer.join(',')}} must not import a folder that builds on it`,
  severity: 'error',
  from: { path: lib(layer) },
  to: { path: lib(LIB_LAYERS.slice(rank + 1).flat()) },
}));

// Within one layer, folders of the same rank stay independent unless listed here.
const sameRankRules = LIB_LAYERS.flatMap((layer, rank) =>
  layer.length < 2
    ? []
    : layer.map((name) => ({
        name: `lib-layer-${rank}-${name.replace(/[^a-z]/g, '')}-alone`,
        comment: `functions/lib/${name} must not import its peers of the same layer`,
        severity: 'error',
        from: { path: lib([name]) },
        to: { path: lib(layer.filter((other) => other !== name)) },
      })),
);

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'no import cycles: a cycle makes two modules one, whatever their folders say',
      severity: 'error',
      from: { path: '^(functions|infra|local|bench|cli|client|scripts)/' },
      to: { circular: true },
    },
    {
      name: 'lib-knows-no-lambda',
      comment:
        'functions/lib is the service without Lambda: it never imports the handlers, their commons, infra, local or bench',
      severity: 'error',
      from: { path: '^functions/lib/' },
      to: { path: '^(functions/(api|commons|events|health|steps)/|infra/|local/|bench/)' },
    },
    {
      name: 'functions-stand-alone',
      comment: 'what deploys never imports the stack, local mode or the benchmarks',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: '^(infra|local|bench|cli|test)/' },
    },
    {
      name: 'infra-below-tools',
      comment: 'the stack never imports local mode or the benchmarks (they build on it)',
      severity: 'error',
      from: { path: '^infra/' },
      to: { path: '^(local|bench|test)/' },
    },
    {
      name: 'local-below-bench',
      comment: 'local mode never imports the benchmarks or the tests',
      severity: 'error',
      from: { path: '^local/' },
      to: { path: '^(bench|test)/' },
    },
    ...layerRules,
    ...sameRankRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|[.]build|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.json'],
    },
    moduleSystems: ['es6', 'cjs'],
  },
};
