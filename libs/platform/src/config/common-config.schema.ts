import { Type } from '@sinclair/typebox';
import { type LogFormat, resolveLogFormat } from '../logging/log-format';
import { type EnvCheck } from './env-config';

/** Environment variables every app of the ledger reads; each app adds its own beside them. */
export const CommonEnvSchema = {
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('test'), Type.Literal('production')], { default: 'development' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
  /** `auto`: readable lines when stdout is a terminal, JSON lines otherwise. */
  LOG_FORMAT: Type.Union([Type.Literal('auto'), Type.Literal('json'), Type.Literal('pretty')], { default: 'auto' }),
  /** `GET /metrics` (Prometheus text format, no credentials); `false` leaves it out. */
  METRICS_ENABLED: Type.Boolean({ default: true }),
  KAFKA_BROKERS: Type.String({ pattern: '^[^\\s,:]+:\\d{1,5}(,[^\\s,:]+:\\d{1,5})*$', description: 'comma-separated host:port list' }),
  KAFKA_CLIENT_ID: Type.String({ default: 'assignment-ledger', minLength: 1 }),
  LEDGER_TOPIC: Type.String({ default: 'assignment-ledger.sticky-values', pattern: '^[A-Za-z0-9._-]{1,200}$' }),
  LEDGER_TOPIC_PARTITIONS: Type.Integer({ default: 6, minimum: 1, maximum: 1000 }),
  DATABASE_URL: Type.String({ default: 'postgres://postgres@127.0.0.1:5432/assignment_ledger' }),
  /** At least two: at startup one connection holds the migration lock while another migrates. */
  DATABASE_POOL_SIZE: Type.Integer({ default: 10, minimum: 2, maximum: 200 }),
  /** Bound on any single call to the broker or the database, so an outage answers 503 instead of hanging. */
  DEPENDENCY_TIMEOUT_MS: Type.Integer({ default: 2000, minimum: 100, maximum: 60000 }),
  HTTP_HOST: Type.String({ default: '127.0.0.1', minLength: 1 }),
  /** The projector's consumer group: its positions are what the ledger waits for to read its own writes. */
  PROJECTOR_GROUP_ID: Type.String({ default: 'assignment-ledger-projector', pattern: '^[A-Za-z0-9._-]{1,200}$' }),
};

export const checkDatabaseUrl: EnvCheck<{ DATABASE_URL: string }> = ({ DATABASE_URL }) => {
  try {
    const url = new URL(DATABASE_URL);
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return [`DATABASE_URL must be a postgres:// URL (got "${DATABASE_URL}")`];
    if (url.pathname.length <= 1) return [`DATABASE_URL must name a database (got "${DATABASE_URL}")`];
    return [];
  } catch {
    return [`DATABASE_URL must be a postgres:// URL (got "${DATABASE_URL}")`];
  }
};

export const brokerList = (brokers: string): string[] => brokers.split(',').map((broker) => broker.trim());

type CommonEnv = { [K in keyof typeof CommonEnvSchema]: import('@sinclair/typebox').Static<(typeof CommonEnvSchema)[K]> };

/** What every app of the ledger knows about its surroundings, as typed settings. */
export interface CommonConfig {
  env: CommonEnv['NODE_ENV'];
  logLevel: string;
  logFormat: LogFormat;
  metricsEnabled: boolean;
  kafka: { brokers: string[]; clientId: string; topic: string; partitions: number; projectorGroupId: string };
  database: { url: string; poolSize: number; createIfMissing: boolean };
  dependencyTimeoutMs: number;
  http: { host: string; port: number };
}

export function toCommonConfig(parsed: CommonEnv & { HTTP_PORT: number }, app: string): CommonConfig {
  return {
    env: parsed.NODE_ENV,
    logLevel: parsed.LOG_LEVEL,
    logFormat: resolveLogFormat(parsed.LOG_FORMAT, process.stdout.isTTY === true),
    metricsEnabled: parsed.METRICS_ENABLED,
    kafka: {
      brokers: brokerList(parsed.KAFKA_BROKERS),
      clientId: `${parsed.KAFKA_CLIENT_ID}-${app}`,
      topic: parsed.LEDGER_TOPIC,
      partitions: parsed.LEDGER_TOPIC_PARTITIONS,
      projectorGroupId: parsed.PROJECTOR_GROUP_ID,
    },
    // Creating a missing database is a development convenience; production databases are provisioned.
    database: { url: parsed.DATABASE_URL, poolSize: parsed.DATABASE_POOL_SIZE, createIfMissing: parsed.NODE_ENV !== 'production' },
    dependencyTimeoutMs: parsed.DEPENDENCY_TIMEOUT_MS,
    http: { host: parsed.HTTP_HOST, port: parsed.HTTP_PORT },
  };
}
