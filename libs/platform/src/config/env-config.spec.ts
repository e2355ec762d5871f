import { Type } from '@sinclair/typebox';
import { checkDatabaseUrl, CommonEnvSchema, toCommonConfig } from './common-config.schema';
import { ConfigError, parseEnv } from './env-config';

const schema = Type.Object({ ...CommonEnvSchema, HTTP_PORT: Type.Integer({ default: 8080, minimum: 0, maximum: 65535 }) });

describe('parseEnv', () => {
  it('fills defaults and converts numbers', () => {
    const config = toCommonConfig(parseEnv(schema, { KAFKA_BROKERS: '127.0.0.1:9092,broker-2:9093', HTTP_PORT: '9000' }), 'ledger');
    expect(config).toMatchObject({
      kafka: { brokers: ['127.0.0.1:9092', 'broker-2:9093'], topic: 'assignment-ledger.sticky-values', partitions: 6, clientId: 'assignment-ledger-ledger' },
      database: { url: 'postgres://postgres@127.0.0.1:5432/assignment_ledger', createIfMissing: true },
      http: { port: 9000, host: '127.0.0.1' },
    });
  });

  it('names every bad variable in one line', () => {
    let error: unknown;
    try {
      parseEnv(schema, { HTTP_PORT: 'eighty', LEDGER_TOPIC_PARTITIONS: '0', LOG_LEVEL: 'loud' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).not.toContain('\n');
    for (const name of ['KAFKA_BROKERS is required', 'HTTP_PORT', 'LEDGER_TOPIC_PARTITIONS', 'LOG_LEVEL']) expect(message).toContain(name);
  });

  it.each(['nonsense', 'mysql://localhost/x', 'postgres://localhost'])('refuses DATABASE_URL=%s', (url) => {
    expect(() => parseEnv(schema, { KAFKA_BROKERS: 'localhost:9092', DATABASE_URL: url }, [checkDatabaseUrl])).toThrow(/DATABASE_URL must/);
  });

  it('refuses a broker list without ports', () => {
    expect(() => parseEnv(schema, { KAFKA_BROKERS: 'localhost' })).toThrow(/KAFKA_BROKERS/);
  });

  it('does not create databases in production', () => {
    const config = toCommonConfig(parseEnv(schema, { KAFKA_BROKERS: 'k:9092', NODE_ENV: 'production' }), 'projector');
    expect(config.database.createIfMissing).toBe(false);
  });
});
