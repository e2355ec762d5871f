export * from './sticky-state.evolve';
