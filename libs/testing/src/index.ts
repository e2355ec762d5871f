export * from './eventually';
export * from './test-environment';
export * from './test-infrastructure';
export * from './service-process';
