import { Type } from '@sinclair/typebox';
import { checkDatabaseUrl, type CommonConfig, CommonEnvSchema, parseEnv, toCommonConfig } from '@ledger/platform';

const LedgerEnvSchema = Type.Object({
  ...CommonEnvSchema,
  HTTP_PORT: Type.Integer({ default: 8080, minimum: 0, maximum: 65535 }),
});

export type LedgerConfig = CommonConfig;

/** Reads the ledger's configuration from the environment; throws ConfigError naming every bad variable. */
export function loadLedgerConfig(env: NodeJS.ProcessEnv): LedgerConfig {
  return toCommonConfig(parseEnv(LedgerEnvSchema, env, [checkDatabaseUrl]), 'ledger');
}
