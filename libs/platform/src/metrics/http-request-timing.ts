import { type FastifyInstance, type onResponseHookHandler } from 'fastify';
import { type ServiceMetrics } from './service-metrics';

/** Requests no route matched (unknown paths, wrong methods, URLs the router refused) share one series. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Times every HTTP request by its route pattern (`GET /v1/persisted/:key`, never the URL itself, so keys do
 * not become label values). Each route gets its own timer when it is registered, so answering a request
 * only finds the series of its status; requests no route matched are timed by one hook beside them.
 */
export function timeHttpRequests(server: FastifyInstance, metrics: ServiceMetrics): void {
  server.addHook('onRoute', (route) => {
    const timer = metrics.routeTimer('http', `${[route.method].flat().join(',')} ${route.url}`);
    const observe: onResponseHookHandler = (_request, reply, done) => {
      timer.observe(reply.statusCode, reply.elapsedTime / 1000);
      done();
    };
    route.onResponse = [...[route.onResponse ?? []].flat(), observe];
  });
  const unmatched = metrics.routeTimer('http', UNMATCHED_ROUTE);
  server.addHook('onResponse', (request, reply, done) => {
    if (request.is404) unmatched.observe(reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}
