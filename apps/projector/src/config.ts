import { Type } from '@sinclair/typebox';
import { checkDatabaseUrl, type CommonConfig, CommonEnvSchema, parseEnv, toCommonConfig } from '@ledger/platform';

const ProjectorEnvSchema = Type.Object({
  ...CommonEnvSchema,
  HTTP_PORT: Type.Integer({ default: 8081, minimum: 0, maximum: 65535 }),
  /** Past this many records between a partition's projection and its log end, readiness and the logs say so. */
  PROJECTION_MAX_LAG_RECORDS: Type.Integer({ default: 10_000, minimum: 1 }),
});

export interface ProjectorConfig extends CommonConfig {
  maxLagRecords: number;
}

/** Reads the projector's configuration from the environment; throws ConfigError naming every bad variable. */
export function loadProjectorConfig(env: NodeJS.ProcessEnv): ProjectorConfig {
  const parsed = parseEnv(ProjectorEnvSchema, env, [checkDatabaseUrl]);
  return { ...toCommonConfig(parsed, 'projector'), maxLagRecords: parsed.PROJECTION_MAX_LAG_RECORDS };
}
