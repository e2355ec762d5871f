import { EventEmitter } from 'node:events';
import { status } from '@grpc/grpc-js';
import { type DependencyProbe } from '@ledger/platform';
import { addHealthService } from './grpc-health.service';

type Handlers = Record<'check' | 'list' | 'watch', (...args: unknown[]) => void>;

function healthHandlers(probes: DependencyProbe[]): Handlers {
  let handlers: Handlers | undefined;
  addHealthService({ addService: (_definition, implementation) => void (handlers = implementation as unknown as Handlers) }, probes, ['assignment_ledger.v1.Evaluation']);
  return handlers!;
}

const check = (handlers: Handlers, service: string) => new Promise<unknown>((resolve) => handlers.check({ request: { service } }, (error: unknown, answer: unknown) => resolve(error ?? answer)));

const up: DependencyProbe = { name: 'database', check: () => Promise.resolve() };
const down: DependencyProbe = { name: 'broker', check: () => Promise.reject(new Error('no broker')) };

describe('grpc.health.v1 from the readiness probes', () => {
  it('is SERVING when every probe answers and NOT_SERVING when one does not', async () => {
    expect(await check(healthHandlers([up]), '')).toEqual({ status: 'SERVING' });
    expect(await check(healthHandlers([up, down]), 'assignment_ledger.v1.Evaluation')).toEqual({ status: 'NOT_SERVING' });
  });

  it('answers a service it does not serve NOT_FOUND', async () => {
    expect(await check(healthHandlers([up]), 'other.Service')).toMatchObject({ code: status.NOT_FOUND });
  });

  it('lists the whole server and each service with one status', async () => {
    const listed = await new Promise((resolve) => healthHandlers([down]).list({}, (_error: unknown, answer: unknown) => resolve(answer)));
    expect(listed).toEqual({ statuses: { '': { status: 'NOT_SERVING' }, 'assignment_ledger.v1.Evaluation': { status: 'NOT_SERVING' } } });
  });

  it('writes the status to a watcher, asks again each second, and stops asking once the watcher cancels', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      let checks = 0;
      const counted: DependencyProbe = { name: 'database', check: async () => void checks++ };
      const call = Object.assign(new EventEmitter(), { request: { service: '' }, written: [] as unknown[], write: (message: unknown) => call.written.push(message) });
      const settle = () => new Promise((resolve) => setImmediate(resolve));
      healthHandlers([counted]).watch(call);
      await settle();
      expect(call.written).toEqual([{ status: 'SERVING' }]);
      jest.advanceTimersByTime(1000);
      await settle();
      // Asked again; the same status is not written twice.
      expect({ checks, written: call.written.length }).toEqual({ checks: 2, written: 1 });
      call.emit('cancelled');
      jest.advanceTimersByTime(5000);
      await settle();
      expect(checks).toBe(2);
    } finally {
      jest.useRealTimers();
    }
  });
});
