import { Writable } from 'node:stream';
import { pino } from 'pino';
import { PinoNestLogger } from './pino-nest-logger';

function capture(level = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { lines, logger: new PinoNestLogger(pino({ level, base: { service: 'test' } }, sink)) };
}

describe("Nest's log calls as pino lines", () => {
  it('keeps the context Nest passes last, and the stack it passes before it for errors', () => {
    const { lines, logger } = capture();
    logger.log('application started', 'NestApplication');
    logger.error('boom', 'Error: boom\n    at here', 'http');
    expect(lines).toEqual([
      expect.objectContaining({ level: 30, service: 'test', context: 'NestApplication', msg: 'application started' }),
      expect.objectContaining({ level: 50, context: 'http', stack: 'Error: boom\n    at here', msg: 'boom' }),
    ]);
  });

  it("writes Nest's route and module listing at start as debug lines, its other news as info", () => {
    const { lines, logger } = capture('debug');
    logger.log('Mapped {/health/live, GET} route', 'RouterExplorer');
    logger.log('HealthController {/health}:', 'RoutesResolver');
    logger.log('TerminusModule dependencies initialized', 'InstanceLoader');
    logger.log('Nest application successfully started', 'NestApplication');
    expect(lines.map((line) => [line.level, line.context])).toEqual([
      [20, 'RouterExplorer'],
      [20, 'RoutesResolver'],
      [20, 'InstanceLoader'],
      [30, 'NestApplication'],
    ]);
  });

  it('spreads objects into fields, keeps errors as err, and skips levels that are off', () => {
    const { lines, logger } = capture('warn');
    logger.log('not written');
    logger.warn({ requestId: 'r-1', detail: 'slow' }, 'http');
    logger.error(new Error('down'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 40, requestId: 'r-1', detail: 'slow', context: 'http' });
    expect(lines[1]).toMatchObject({ level: 50, msg: 'down', err: expect.objectContaining({ message: 'down' }) });
  });
});
