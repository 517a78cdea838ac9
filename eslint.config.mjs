import nx from '@nx/eslint-plugin';

/**
 * Dependency direction (CONTRIBUTING.md): core <- everything; runtime, cpu-accel <- apps (and tests); webgpu <- runtime;
 * dataset, augment, yolov5, evaluator <- core only; trainer <- yolov5, evaluator, core;
 * ensembler <- core; monitor <- core (pure, no tfjs); apps <- any lib; tools import nothing that imports them.
 */
export const depConstraints = [
  { sourceTag: 'lib:core', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'lib:runtime', onlyDependOnLibsWithTags: ['lib:core', 'lib:cpu-accel', 'lib:webgpu'] },
  { sourceTag: 'lib:webgpu', onlyDependOnLibsWithTags: ['lib:core'] },
  { sourceTag: 'lib:cpu-accel', onlyDependOnLibsWithTags: ['lib:core'] },
  { sourceTag: 'lib:dataset', onlyDependOnLibsWithTags: ['lib:core'] },
  { sourceTag: 'lib:augment', onlyDependOnLibsWithTags: ['lib:core'] },
  { sourceTag: 'lib:yolov5', onlyDependOnLibsWithTags: ['lib:core'] },
  { sourceTag: 'lib:evaluator', onlyDependOnLibsWithTags: ['lib:core'] },
  { sourceTag: 'lib:trainer', onlyDependOnLibsWithTags: ['lib:core', 'lib:yolov5', 'lib:evaluator'] },
  { sourceTag: 'lib:ensembler', onlyDependOnLibsWithTags: ['lib:core'] },
  { sourceTag: 'lib:monitor', onlyDependOnLibsWithTags: ['lib:core'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['lib:core', 'lib:runtime', 'lib:cpu-accel', 'lib:webgpu', 'lib:dataset', 'lib:augment', 'lib:yolov5', 'lib:evaluator', 'lib:trainer', 'lib:ensembler', 'lib:monitor'] },
  { sourceTag: 'type:tools', onlyDependOnLibsWithTags: ['*'] },
];

export default [
  { ignores: ['**/dist', '**/out-tsc', '**/node_modules', '**/vitest.config.*.timestamp*', '**/native/build'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints,
        },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
];
