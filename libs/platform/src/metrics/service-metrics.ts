import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Every series of both apps starts with this; an `app` label tells them apart, so one dashboard query serves both. */
export const METRICS_PREFIX = 'assignment_ledger_';

/**
 * Request duration buckets, in seconds: fine where the latency goals are (p99 within 10 ms), coarse up to the
 * 2 s bounds on dependencies and on waiting for the read model, so a timeout shows as its own bucket.
 */
export const REQUEST_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export type Transport = 'http' | 'grpc';

type RequestLabel = 'transport' | 'route' | 'status';

/** Records the duration of each answered request of one route; its status's series is found once and kept. */
export class RouteTimer {
  private readonly byStatus = new Map<number | string, Histogram.Internal<RequestLabel>>();

  constructor(
    private readonly histogram: Histogram<RequestLabel>,
    private readonly transport: Transport,
    private readonly route: string,
  ) {}

  /** `status` is the HTTP status code or the gRPC status name; both are few, so each route keeps a handful of series. */
  observe(status: number | string, seconds: number): void {
    let series = this.byStatus.get(status);
    if (series === undefined) {
      series = this.histogram.labels({ transport: this.transport, route: this.route, status: String(status) });
      this.byStatus.set(status, series);
    }
    series.observe(seconds);
  }
}

/**
 * One app's metrics registry: Node's and the process's own series, request durations by route, and whatever
 * the app adds with counter() and gauge(). Labels take only values from small known sets (route patterns,
 * statuses, event types, partitions, reason classes), never a key or other caller input.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly requestDuration: Histogram<RequestLabel>;

  constructor(
    app: string,
    /** Off: nothing is served and Node's own series are not collected; counters the app bumps still cost next to nothing. */
    readonly enabled: boolean,
  ) {
    this.registry.setDefaultLabels({ app });
    if (enabled) collectDefaultMetrics({ register: this.registry, prefix: METRICS_PREFIX });
    this.requestDuration = new Histogram({
      name: `${METRICS_PREFIX}request_duration_seconds`,
      help: 'Time from receiving a request to answering it, by transport, route pattern (HTTP) or method path (gRPC), and status',
      labelNames: ['transport', 'route', 'status'],
      buckets: REQUEST_DURATION_BUCKETS,
      registers: [this.registry],
    });
  }

  routeTimer(transport: Transport, route: string): RouteTimer {
    return new RouteTimer(this.requestDuration, transport, route);
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name: `${METRICS_PREFIX}${name}`, help, labelNames, registers: [this.registry] });
  }

  /** `collect` runs at each scrape, for values that are cheaper to read then than to keep up to date. */
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[], collect?: (gauge: Gauge<L>) => void | Promise<void>): Gauge<L> {
    return new Gauge({
      name: `${METRICS_PREFIX}${name}`,
      help,
      labelNames,
      registers: [this.registry],
      ...(collect
        ? {
            collect(this: Gauge<L>) {
              return collect(this);
            },
          }
        : {}),
    });
  }

  /** The Prometheus text exposition of every series. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
