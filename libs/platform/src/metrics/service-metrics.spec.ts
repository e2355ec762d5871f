import { ServiceMetrics } from './service-metrics';

const seriesOf = (text: string, name: string) => text.split('\n').filter((line) => line.startsWith(name));

describe('an app’s metrics', () => {
  it('times requests by transport, route and status, one series per status of a route', async () => {
    const metrics = new ServiceMetrics('ledger', false);
    const load = metrics.routeTimer('http', 'GET /v1/persisted/:key');
    load.observe(200, 0.002);
    load.observe(200, 0.004);
    load.observe(404, 0.001);
    metrics.routeTimer('grpc', '/assignment_ledger.v1.Evaluation/Evaluate').observe('INVALID_ARGUMENT', 0.0005);
    const text = await metrics.scrape();
    expect(seriesOf(text, 'assignment_ledger_request_duration_seconds_count')).toEqual([
      'assignment_ledger_request_duration_seconds_count{app="ledger",transport="http",route="GET /v1/persisted/:key",status="200"} 2',
      'assignment_ledger_request_duration_seconds_count{app="ledger",transport="http",route="GET /v1/persisted/:key",status="404"} 1',
      'assignment_ledger_request_duration_seconds_count{app="ledger",transport="grpc",route="/assignment_ledger.v1.Evaluation/Evaluate",status="INVALID_ARGUMENT"} 1',
    ]);
    expect(seriesOf(text, 'assignment_ledger_request_duration_seconds_bucket{le="0.0025"')).toEqual([
      expect.stringMatching(/status="200"} 1$/),
      expect.stringMatching(/status="404"} 1$/),
      expect.stringMatching(/status="INVALID_ARGUMENT"} 1$/),
    ]);
  });

  it("adds Node's and the process's own series, prefixed and labelled with the app, only when enabled", async () => {
    const enabled = await new ServiceMetrics('projector', true).scrape();
    expect(enabled).toMatch(/^assignment_ledger_process_cpu_seconds_total\{app="projector"\} /m);
    expect(enabled).toMatch(/^assignment_ledger_nodejs_eventloop_lag_p99_seconds\{app="projector"\} /m);
    expect(enabled).toMatch(/^assignment_ledger_nodejs_heap_size_used_bytes\{app="projector"\} /m);
    const disabled = await new ServiceMetrics('projector', false).scrape();
    expect(disabled).not.toContain('process_cpu');
  });

  it('reads a gauge when scraped, and counts with counters', async () => {
    const metrics = new ServiceMetrics('projector', false);
    let behind = 3;
    metrics.gauge('backlog', 'test', ['partition'], (gauge) => {
      gauge.reset();
      gauge.set({ partition: '0' }, behind);
    });
    metrics.counter('things_total', 'test', ['kind']).inc({ kind: 'a' });
    expect(await metrics.scrape()).toContain('assignment_ledger_backlog{partition="0",app="projector"} 3');
    behind = 0;
    const text = await metrics.scrape();
    expect(text).toContain('assignment_ledger_backlog{partition="0",app="projector"} 0');
    expect(text).toContain('assignment_ledger_things_total{kind="a",app="projector"} 1');
  });
});
