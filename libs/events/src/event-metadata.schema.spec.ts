import { storageCallSource } from './event-metadata.schema';

describe('the source a storage call is recorded under', () => {
  it('is storage_api unless the call declares an SDK adapter, and nothing else may be declared', () => {
    expect(storageCallSource(undefined)).toBe('storage_api');
    expect(storageCallSource('sdk_adapter')).toBe('sdk_adapter');
    for (const declared of ['evaluation', 'rebuild', 'storage_api', 'SDK_ADAPTER', '', ['sdk_adapter', 'sdk_adapter']]) expect(storageCallSource(declared)).toBeUndefined();
  });
});
