export * from './assignment.decide';
export * from './bucketing';
export * from './experiment-spec';
export * from './persistence.decide';
export * from './statsig-user';
export * from './sticky-state.evolve';
export * from './targeting';
export * from './experiment-diff';
