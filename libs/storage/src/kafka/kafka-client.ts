import { Kafka, type KafkaConfig, logLevel, type LogEntry } from 'kafkajs';
import { kafkaLogLevel } from './kafka-log-level';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** Bound on connecting and on each request, so an outage surfaces quickly. */
  timeoutMs: number;
}

export interface StructuredLogger {
  error(object: object, message: string): void;
  warn(object: object, message: string): void;
  info(object: object, message: string): void;
  debug(object: object, message: string): void;
}

const LEVEL_NAMES: Record<number, keyof StructuredLogger> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * A kafkajs client whose own logs go through the service's structured logger instead of its console output,
 * at the level each deserves (see kafkaLogLevel): kafkajs logs conditions it retries as errors.
 */
export function createKafka(settings: KafkaSettings, logger: StructuredLogger, overrides: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    connectionTimeout: settings.timeoutMs,
    requestTimeout: Math.max(settings.timeoutMs * 5, 10_000),
    retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: 5 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ namespace, level, log }: LogEntry) => {
        const { message, timestamp: _timestamp, logger: _logger, ...rest } = log;
        logger[kafkaLogLevel(LEVEL_NAMES[level] ?? 'info', namespace, message, rest.error)]({ kafka: namespace, ...rest }, message);
      },
    ...overrides,
  });
}
