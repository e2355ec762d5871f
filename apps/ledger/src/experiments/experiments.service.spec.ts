import { checkoutButtonSpec } from '@ledger/testing';
import { type DatabaseNotifications } from '../database/database-notifications';
import { type ExperimentsRepository, type PublishedExperiment } from './experiments.repository';
import { ExperimentsService } from './experiments.service';
import { PublishedExperimentsCache } from './published-experiments.cache';

/** Versions kept in memory, numbered like the real table. */
class InMemoryExperiments {
  readonly rows: PublishedExperiment[] = [];
  async publish(name: string, build: Parameters<ExperimentsRepository['publish']>[1], publishedBy: string): Promise<PublishedExperiment> {
    const previous = this.rows.filter((row) => row.name === name).at(-1) ?? null;
    const { spec, diff } = build(previous);
    const row = { name, version: (previous?.version ?? 0) + 1, spec, publishedBy, publishedAt: new Date(0).toISOString(), diff };
    this.rows.push(row);
    return row;
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

  beforeEach(async () => {
    const cache = new PublishedExperimentsCache(silentNotifications);
    await cache.onModuleInit();
    service = new ExperimentsService(new InMemoryExperiments() as unknown as ExperimentsRepository, cache);
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
});
