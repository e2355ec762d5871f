import Fastify from 'fastify';
import { timeHttpRequests } from './http-request-timing';
import { ServiceMetrics } from './service-metrics';

describe('HTTP requests timed by route pattern', () => {
  it('labels each request with its route pattern and status, never the URL, and requests no route matched as unmatched', async () => {
    const server = Fastify();
    const metrics = new ServiceMetrics('ledger', true);
    timeHttpRequests(server, metrics);
    server.get('/v1/persisted/:key', async (request, reply) => reply.code((request.params as { key: string }).key === 'missing' ? 404 : 200).send({}));
    server.put('/v1/persisted/:key/:configName', { onResponse: [(_request, _reply, done) => done()] }, async () => ({}));
    await server.ready();
    for (const key of ['unit-1:userID', 'unit-2:userID', 'missing']) await server.inject({ method: 'GET', url: `/v1/persisted/${key}` });
    await server.inject({ method: 'PUT', url: '/v1/persisted/unit-1:userID/exp' });
    await server.inject({ method: 'GET', url: '/no/such/route/unit-3:userID' });
    await server.close();

    const counts = (await metrics.scrape()).split('\n').filter((line) => line.startsWith('assignment_ledger_request_duration_seconds_count'));
    expect(counts).toEqual([
      'assignment_ledger_request_duration_seconds_count{app="ledger",transport="http",route="GET /v1/persisted/:key",status="200"} 2',
      'assignment_ledger_request_duration_seconds_count{app="ledger",transport="http",route="GET /v1/persisted/:key",status="404"} 1',
      'assignment_ledger_request_duration_seconds_count{app="ledger",transport="http",route="PUT /v1/persisted/:key/:configName",status="200"} 1',
      'assignment_ledger_request_duration_seconds_count{app="ledger",transport="http",route="unmatched",status="404"} 1',
    ]);
    expect(counts.join('\n')).not.toContain('unit-');
  });
});
