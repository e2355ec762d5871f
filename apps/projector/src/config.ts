import { Type } from '@sinclair/typebox';
import { checkDatabaseUrl, type CommonConfig, CommonEnvSchema, parseEnv, toCommonConfig } from '@ledger/platform';

const ProjectorEnvSchema = Type.Object({
  ...CommonEnvSchema,
  HTTP_PORT: Type.Integer({ default: 8081, minimum: 0, maximum: 65535 }),
  PROJECTOR_GROUP_ID: Type.String({ default: 'assignment-ledger-projector', pattern: '^[A-Za-z0-9._-]{1,200}$' }),
});

export interface ProjectorConfig extends CommonConfig {
  groupId: string;
}

/** Reads the projector's configuration from the environment; throws ConfigError naming every bad variable. */
export function loadProjectorConfig(env: NodeJS.ProcessEnv): ProjectorConfig {
  const parsed = parseEnv(ProjectorEnvSchema, env, [checkDatabaseUrl]);
  return { ...toCommonConfig(parsed, 'projector'), groupId: parsed.PROJECTOR_GROUP_ID };
}
