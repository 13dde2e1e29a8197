/** The layers, checked on every `npm test`: a reader knows from a file's folder what it may touch. */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment:
        'functions/core holds the domain: no AWS SDK, HTTP, file system, mail transport or adapters.',
      severity: 'error',
      from: { path: '^functions/core' },
      to: {
        path: [
          '^functions/(adapters|handlers|local)',
          '^forms',
          '^templates',
          'node_modules/(@aws-sdk|@aws-crypto|hono|@hono|@middy|dynalite|nodemailer|smtp-server|postal-mime|mailparser|mjml)',
        ],
      },
    },
    {
      name: 'core-no-io-builtins',
      severity: 'error',
      from: { path: '^functions/core' },
      to: {
        dependencyTypes: ['core'],
        path: '^(fs|node:fs|fs/promises|node:fs/promises|http|https|net|node:http|node:https|node:net|child_process|node:child_process)$',
      },
    },
    {
      name: 'use-cases-never-import-adapters',
      severity: 'error',
      from: { path: '^(forms|templates)' },
      to: { path: '^functions/(adapters|local|handlers)' },
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
    combinedDependencies: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.tsx', '.js'],
    },
  },
};
