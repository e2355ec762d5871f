/** JSON lines for machines; one readable line per event for a person at a terminal. */
export type LogFormat = 'json' | 'pretty';

/** `auto` follows stdout: a terminal gets readable lines, a pipe or a file JSON. */
export function resolveLogFormat(setting: 'auto' | LogFormat, stdoutIsTerminal: boolean): LogFormat {
  if (setting !== 'auto') return setting;
  return stdoutIsTerminal ? 'pretty' : 'json';
}
