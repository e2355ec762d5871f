import { Type } from '@sinclair/typebox';
import { checkDatabaseUrl, type CommonConfig, CommonEnvSchema, parseEnv, toCommonConfig } from '@ledger/platform';

const ProjectorEnvSchema = Type.Object({
  ...CommonEnvSchema,
  HTTP_PORT: Type.Integer({ default: 8081, minimum: 0, maximum: 65535 }),
});

export type ProjectorConfig = CommonConfig;

/** Reads the projector's configuration from the environment; throws ConfigError naming every bad variable. */
export function loadProjectorConfig(env: NodeJS.ProcessEnv): ProjectorConfig {
  return toCommonConfig(parseEnv(ProjectorEnvSchema, env, [checkDatabaseUrl]), 'projector');
}
