import { type Server, type sendUnaryData, type ServerUnaryCall, type ServerWritableStream, status } from '@grpc/grpc-js';
import { service as healthServiceDefinition } from 'grpc-health-check';
import { type DependencyProbe } from '@ledger/platform';

type ServingStatus = 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

/** How often an open Watch asks the probes again; a status change reaches the watcher within this. */
const WATCH_INTERVAL_MS = 1000;

/**
 * The standard grpc.health.v1.Health service (its proto as grpc-health-check ships it), answering from the
 * probes /health/ready runs: SERVING when every one answers, NOT_SERVING otherwise. Asked afresh on each
 * Check rather than polled in the background, so an idle ledger does no health work. The empty name stands
 * for the whole server; the ledger's own services answer the same; any other name is NOT_FOUND.
 */
export function addHealthService(server: Pick<Server, 'addService'>, probes: DependencyProbe[], serviceNames: string[]): void {
  const known = new Set(['', ...serviceNames]);
  const current = async (): Promise<ServingStatus> => {
    try {
      await Promise.all(probes.map((probe) => probe.check()));
      return 'SERVING';
    } catch {
      return 'NOT_SERVING';
    }
  };
  server.addService(healthServiceDefinition as never, {
    check: (call: ServerUnaryCall<{ service: string }, unknown>, callback: sendUnaryData<unknown>) => {
      const name = call.request.service;
      if (!known.has(name)) return callback({ code: status.NOT_FOUND, details: `no service ${JSON.stringify(name.slice(0, 200))} on this server` });
      void current().then((serving) => callback(null, { status: serving }));
    },
    list: (_call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      void current().then((serving) => callback(null, { statuses: Object.fromEntries([...known].map((name) => [name, { status: serving }])) }));
    },
    watch: (call: ServerWritableStream<{ service: string }, unknown>) => {
      if (!known.has(call.request.service)) {
        call.write({ status: 'SERVICE_UNKNOWN' });
        return;
      }
      let last: ServingStatus | undefined;
      let timer: NodeJS.Timeout | undefined;
      let open = true;
      const poll = async (): Promise<void> => {
        const serving = await current();
        if (!open) return;
        if (serving !== last) call.write({ status: serving });
        last = serving;
        timer = setTimeout(() => void poll(), WATCH_INTERVAL_MS).unref();
      };
      call.on('cancelled', () => {
        open = false;
        clearTimeout(timer);
      });
      void poll();
    },
  });
}
