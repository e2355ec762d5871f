import { readFileSync } from 'node:fs';
import type { Config } from 'jest';

// The same compiler settings as the build, without the path aliases, which moduleNameMapper resolves.
const swcrc = JSON.parse(readFileSync(`${__dirname}/.swcrc`, 'utf8'));
const { baseUrl: _baseUrl, paths: _paths, ...jsc } = swcrc.jsc;
const transform: Config['transform'] = { '^.+\\.ts$': ['@swc/jest', { swcrc: false, sourceMaps: 'inline', module: swcrc.module, jsc }] };

const moduleNameMapper = {
  '^@ledger/(assignment|events|ledger|platform|storage|testing)$': '<rootDir>/libs/$1/src',
  // The client package by the names its users import (see libs/client/package.json "exports").
  '^@assignment-ledger/client$': '<rootDir>/libs/client/src',
  '^@assignment-ledger/client/(statsig|statsig-legacy|growthbook|optimizely)$': '<rootDir>/libs/client/src/$1',
};

// dist/ holds the build's copies (package.json files among them), which the module map must not see twice.
const common = { rootDir: __dirname, transform, moduleNameMapper, modulePathIgnorePatterns: ['<rootDir>/dist/'], testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'] };

const config: Config = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,scripts,docker}/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/apps/**/test/**/*.int-spec.ts', '<rootDir>/libs/**/*.int-spec.ts', '<rootDir>/scripts/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
      globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
      slowTestThreshold: 30,
    },
  ],
  testTimeout: 60_000,
};

export default config;
