export * from './eventually';
export * from './test-environment';
export * from './test-infrastructure';
export * from './service-process';
export * from './http-client';
export * from './sticky-values.fixture';
export * from './read-topic';
