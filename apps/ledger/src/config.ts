import { Type } from '@sinclair/typebox';
import { defaultEventSource } from '@ledger/events';
import { checkDatabaseUrl, type CommonConfig, CommonEnvSchema, parseEnv, toCommonConfig } from '@ledger/platform';

const LedgerEnvSchema = Type.Object({
  ...CommonEnvSchema,
  HTTP_PORT: Type.Integer({ default: 8080, minimum: 0, maximum: 65535 }),
  GRPC_PORT: Type.Integer({ default: 50051, minimum: 0, maximum: 65535 }),
  READ_YOUR_WRITES_TIMEOUT_MS: Type.Integer({ default: 2000, minimum: 10, maximum: 60000 }),
  /** The bootstrap admin key; other keys are created with it through POST /v1/api-keys. */
  LEDGER_ADMIN_KEY: Type.Optional(Type.String({ minLength: 16, maxLength: 256 })),
  /** The CloudEvents `source` every appended record names (an absolute URI); unset, it is derived from the topic. */
  LEDGER_EVENT_SOURCE: Type.Optional(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9+.-]*:[!-~]+$', maxLength: 1000, description: 'an absolute URI' })),
});

export interface LedgerConfig extends CommonConfig {
  /** How long a write waits for the read model to apply it before answering 503 PROJECTION_LAG. */
  readYourWritesTimeoutMs: number;
  adminKey: string | undefined;
  grpc: { host: string; port: number };
  /** The CloudEvents `source` of every event this deployment appends (`ce_source`). */
  eventSource: string;
}

/** Reads the ledger's configuration from the environment; throws ConfigError naming every bad variable. */
export function loadLedgerConfig(env: NodeJS.ProcessEnv): LedgerConfig {
  const parsed = parseEnv(LedgerEnvSchema, env, [checkDatabaseUrl]);
  return {
    ...toCommonConfig(parsed, 'ledger'),
    readYourWritesTimeoutMs: parsed.READ_YOUR_WRITES_TIMEOUT_MS,
    adminKey: parsed.LEDGER_ADMIN_KEY,
    grpc: { host: parsed.HTTP_HOST, port: parsed.GRPC_PORT },
    eventSource: parsed.LEDGER_EVENT_SOURCE ?? defaultEventSource(parsed.LEDGER_TOPIC),
  };
}
