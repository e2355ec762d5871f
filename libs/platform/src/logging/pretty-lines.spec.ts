import { Writable } from 'node:stream';
import { resolveLogFormat } from './log-format';
import { createServiceLogger } from './logger.module';

function capture(format: 'json' | 'pretty') {
  let written = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written += chunk.toString();
      done();
    },
  });
  return { lines: () => written.split('\n').filter((line) => line !== ''), logger: createServiceLogger('ledger', 'info', format, sink as never) };
}

describe('the log a person reads', () => {
  it('writes one readable line per event: time, level, service, context and message, other fields on the same line', () => {
    const { lines, logger } = capture('pretty');
    logger.child({ context: 'kafka' }).warn({ broker: '127.0.0.1:9092' }, 'Connection timeout');
    logger.info({ req: { id: 'r-1', method: 'GET', url: '/v1/persisted/u:userID' }, res: { statusCode: 200 }, responseTime: 3 }, 'request completed');
    const [kafka, request, ...rest] = lines();
    expect(rest).toEqual([]);
    expect(kafka).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: ledger \[kafka\] Connection timeout \{"broker":"127\.0\.0\.1:9092"\}$/);
    expect(request).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: ledger GET \/v1\/persisted\/u:userID 200 3 ms$/);
    expect(() => JSON.parse(kafka!)).toThrow();
  });

  it('keeps JSON lines for machines', () => {
    const { lines, logger } = capture('json');
    logger.info({ requestId: 'r-1' }, 'hello');
    expect(JSON.parse(lines()[0]!)).toMatchObject({ level: 30, service: 'ledger', requestId: 'r-1', msg: 'hello' });
  });

  it('chooses readable lines for a terminal and JSON for a pipe unless told', () => {
    expect(resolveLogFormat('auto', true)).toBe('pretty');
    expect(resolveLogFormat('auto', false)).toBe('json');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('pretty', false)).toBe('pretty');
  });
});
