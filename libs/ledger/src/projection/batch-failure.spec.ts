import { DeadlineExceededError } from '@ledger/platform';
import { classifyBatchFailure, refusalReason } from './batch-failure';

const pgError = (code: string, message = 'refused') => Object.assign(new Error(message), { code });

describe('what a failed batch means', () => {
  it.each([
    ['a lost connection', pgError('08006'), 'unavailable'],
    ['a shutdown', pgError('57P01'), 'unavailable'],
    ['our own deadline', new DeadlineExceededError('the database', 10), 'unavailable'],
    ['a refused socket', Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }), 'unavailable'],
    ['a rebalance while committing', Object.assign(new Error('The group is rebalancing, so a rejoin is needed'), { name: 'KafkaJSProtocolError' }), 'unavailable'],
    ['a serialization failure', pgError('40001'), 'transient'],
    ['a deadlock', pgError('40P01'), 'transient'],
    ['an unsupported Unicode escape', pgError('22P05', 'unsupported Unicode escape sequence'), 'record'],
    ['invalid text', pgError('22021'), 'record'],
    ['a statement too complex', pgError('54001'), 'record'],
    ['a missing table (a bug)', pgError('42P01'), 'unknown'],
    ['an error without a code', new TypeError('x is undefined'), 'unknown'],
  ])('%s is %s', (_label, error, kind) => {
    expect(classifyBatchFailure(error)).toBe(kind);
  });

  it('names the SQLSTATE and the message in a dead letter', () => {
    expect(refusalReason(pgError('22P05', 'unsupported Unicode escape sequence'))).toBe('the read model refused the record (SQLSTATE 22P05): unsupported Unicode escape sequence');
  });
});
