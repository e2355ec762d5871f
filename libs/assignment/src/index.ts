export * from './persistence.decide';
export * from './sticky-state.evolve';
