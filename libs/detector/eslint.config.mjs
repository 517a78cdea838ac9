import baseConfig from '../../eslint.config.mjs';

const browserOnly = 'the browser entry must stay free of Node-only code: use @vigil/yolov5/browser, and decode files only in src/lib/node-*.ts';

export default [
  ...baseConfig,
  {
    // Everything but the Node entry and its node-*.ts helpers is reachable from src/browser.ts.
    files: ['src/**/*.ts'],
    ignores: ['src/index.ts', 'src/lib/node-*.ts', 'src/**/*.spec.ts', 'src/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['@vigil/yolov5', '@vigil/dataset', '@vigil/runtime', 'sharp', 'fs', 'path', 'os', 'url'].map((name) => ({ name, message: browserOnly })),
          patterns: [{ group: ['node:*'], message: browserOnly }],
        },
      ],
    },
  },
];
