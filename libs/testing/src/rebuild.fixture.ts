import { type DataSource } from 'typeorm';
import { rebuildReadModel, type RebuildOptions, type RebuildReport } from '@ledger/ledger';
import { createKafka } from '@ledger/storage';
import { type TestEnvironment } from './test-environment';

const quiet = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };

/** Rebuilds a test environment's read model from its topic, quietly, refusing to swap in a model that differs. */
export function rebuildTestReadModel(environment: TestEnvironment, dataSource: DataSource, options: Partial<Pick<RebuildOptions, 'keepReplaced'>> = {}): Promise<RebuildReport> {
  return rebuildReadModel({
    dataSource,
    kafka: createKafka({ brokers: environment.brokers.split(','), clientId: 'test-rebuild', timeoutMs: 2000 }, quiet),
    topic: environment.topic,
    projectorGroupId: environment.groupId,
    acceptDifferences: false,
    keepReplaced: options.keepReplaced ?? false,
    log: () => undefined,
  });
}
