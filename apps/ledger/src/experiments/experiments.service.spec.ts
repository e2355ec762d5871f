import { ServiceMetrics } from '@ledger/platform';
import { checkoutButtonSpec } from '@ledger/testing';
import { type DatabaseNotifications } from '@ledger/ledger';
import { LedgerMetrics } from '../metrics/ledger-metrics';
import { type ExperimentsRepository, type ExperimentSummary, type PublishedExperiment, type PublishResult } from './experiments.repository';
import { ExperimentsService } from './experiments.service';
import { PublishedExperimentsCache } from './published-experiments.cache';

/** Versions kept in memory, numbered like the real table. */
class InMemoryExperiments {
  readonly rows: PublishedExperiment[] = [];
  async publish(name: string, decide: Parameters<ExperimentsRepository['publish']>[1], publishedBy: string): Promise<PublishResult> {
    const previous = this.rows.filter((row) => row.name === name).at(-1) ?? null;
    const decision = decide(previous);
    if (decision.kind === 'unchanged') return { outcome: 'unchanged', experiment: previous! };
    const row = { name, version: (previous?.version ?? 0) + 1, spec: decision.spec, publishedBy, publishedAt: new Date(0).toISOString(), diff: decision.diff };
    this.rows.push(row);
    return { outcome: 'published', experiment: row };
  }
  async latestPage(afterName: string | undefined, limit: number): Promise<ExperimentSummary[]> {
    const names = [...new Set(this.rows.map((row) => row.name))].sort().filter((name) => afterName === undefined || name > afterName);
    return names.slice(0, limit).map((name) => {
      const latest = this.rows.filter((row) => row.name === name).at(-1)!;
      return { name, version: latest.version, status: latest.spec.status, publishedAt: latest.publishedAt };
    });
  }
  async latest(name: string): Promise<PublishedExperiment | undefined> {
    return this.rows.filter((row) => row.name === name).at(-1);
  }
  async allActive(): Promise<PublishedExperiment[]> {
    const names = [...new Set(this.rows.map((row) => row.name))];
    return names.map((name) => this.rows.filter((row) => row.name === name).at(-1)!).filter((row) => row.spec.status === 'active');
  }
}

/** A connection that is listening but whose notices have not come back yet. */
const silentNotifications = { listening: true, subscribe: async () => undefined } as unknown as DatabaseNotifications;

describe('the experiment registry', () => {
  let service: ExperimentsService;
  let repository: InMemoryExperiments;

  beforeEach(async () => {
    const cache = new PublishedExperimentsCache(silentNotifications, new LedgerMetrics(new ServiceMetrics('test', false)));
    await cache.onModuleInit();
    repository = new InMemoryExperiments();
    service = new ExperimentsService(repository as unknown as ExperimentsRepository, cache);
  });

  it('serves the version it has just published from its next read, before any notice arrives', async () => {
    await service.publish('checkout_button', checkoutButtonSpec(), 'publisher');
    expect(await service.latest('checkout_button')).toMatchObject({ version: 1 });
    expect((await service.allActive()).map((experiment) => experiment.version)).toEqual([1]);

    await service.publish('checkout_button', checkoutButtonSpec({ allocationPercent: 0 }), 'publisher');
    expect(await service.latest('checkout_button')).toMatchObject({ version: 2, spec: { allocationPercent: 0 } });
    await service.publish('checkout_button', checkoutButtonSpec({ status: 'inactive' }), 'publisher');
    expect(await service.allActive()).toEqual([]);
  });

  it('keeps the latest version when the same spec is published again', async () => {
    const first = await service.publish('checkout_button', checkoutButtonSpec(), 'publisher');
    const again = await service.publish('checkout_button', checkoutButtonSpec({ salt: 'checkout_button', bucketVersion: 1 }), 'someone else');
    expect(first.outcome).toBe('published');
    expect(again).toEqual({ outcome: 'unchanged', experiment: first.experiment });
    expect(repository.rows).toHaveLength(1);
  });

  it('lists the latest version of each experiment a page at a time, and refuses a cursor it did not give out', async () => {
    for (const name of ['c', 'a', 'b']) await service.publish(name, checkoutButtonSpec(), 'publisher');
    await service.publish('a', checkoutButtonSpec({ status: 'inactive' }), 'publisher');
    const first = await service.list({ limit: 2 });
    expect(first.experiments).toEqual([
      { name: 'a', version: 2, status: 'inactive', publishedAt: expect.any(String) },
      { name: 'b', version: 1, status: 'active', publishedAt: expect.any(String) },
    ]);
    const second = await service.list({ limit: 2, cursor: first.nextCursor! });
    expect(second).toEqual({ experiments: [expect.objectContaining({ name: 'c' })], nextCursor: null });
    await expect(service.list({ limit: 2, cursor: 'made-up' })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });
});
