import { type Static, type TObject } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/** Raised when the environment does not describe a runnable service; its message is one line naming every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

export type EnvCheck<T> = (config: T) => string[];

/**
 * Parses environment variables against a schema whose property names are the variable names.
 * Defaults fill the gaps, numeric strings become numbers, and every problem is reported at once
 * (not only the first), so one failed boot tells the operator everything to fix.
 */
export function parseEnv<S extends TObject>(schema: S, env: Record<string, string | undefined>, checks: EnvCheck<Static<S>>[] = []): Static<S> {
  const relevant: Record<string, unknown> = {};
  for (const name of Object.keys(schema.properties)) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') relevant[name] = raw;
  }
  const candidate = Value.Convert(schema, Value.Default(schema, relevant));
  const problems = [...Value.Errors(schema, candidate)].map((error) => {
    const name = error.path.replace(/^\//, '') || '(environment)';
    const given = env[name];
    return given === undefined || given === '' ? `${name} is required` : `${name} ${error.message.toLowerCase()} (got "${given}")`;
  });
  if (problems.length > 0) throw new ConfigError(dedupe(problems));
  const config = candidate as Static<S>;
  const semantic = checks.flatMap((check) => check(config));
  if (semantic.length > 0) throw new ConfigError(semantic);
  return config;
}

function dedupe(lines: string[]): string[] {
  return [...new Set(lines)];
}
