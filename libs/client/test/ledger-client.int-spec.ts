import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { checkoutButtonSpec, stickyValueFor } from '@ledger/testing';
import { LedgerClient, LedgerDeadlineExceededError, LedgerRequestError, LedgerUnavailableError } from '@assignment-ledger/client';
import { callsBetween, type LedgerUnderTest, startLedgerUnderTest } from './ledger-under-test';

describe('LedgerClient', () => {
  let ledger: LedgerUnderTest;

  beforeAll(async () => {
    ledger = await startLedgerUnderTest('client-api');
  });

  afterAll(async () => {
    await ledger?.close();
  });

  describe.each(['http', 'grpc'] as const)('over %s', (transport) => {
    const key = `api-${transport}:userID`;

    it('saves first-write-wins, loads, deletes, and declares the SDK adapter as the cause', async () => {
      const client = ledger.client({ transport });
      expect(await client.save(key, 'exp', stickyValueFor('Control'), { caller: 'sdk_adapter' })).toMatchObject({ outcome: 'saved', value: { group_name: 'Control' }, eventId: expect.any(String) });
      expect(await client.save(key, 'exp', stickyValueFor('Test'))).toMatchObject({ outcome: 'already_sticky', value: { group_name: 'Control' } });
      expect((await client.load(key)).exp).toMatchObject({ group_name: 'Control', config_version: 1 });
      expect(await client.delete(key, 'exp', { caller: 'sdk_adapter', reason: 'experiment_inactive' })).toMatchObject({ outcome: 'deleted' });
      expect(await client.delete(key, 'exp')).toEqual({ outcome: 'absent', eventId: null });
      const events = await ledger.eventsAbout(key, 2);
      expect(events.map((event) => [event.type, event.metadata.cause.source])).toEqual([
        ['StickyValueSaved', 'sdk_adapter'],
        ['StickyValueDeleted', 'sdk_adapter'],
      ]);
    });

    it('evaluates with persistence and reads the experiment', async () => {
      const client = ledger.client({ transport });
      await ledger.client().publishExperiment('checkout_button', checkoutButtonSpec() as never);
      const evaluated = await client.evaluate('checkout_button', { userID: `eval-${transport}`, country: 'NZ' });
      expect(evaluated).toMatchObject({ experiment: 'checkout_button', version: 1, reason: 'Evaluated', sticky: { key: `eval-${transport}:userID` } });
      expect(await client.evaluate('checkout_button', { userID: `eval-${transport}`, country: 'US' })).toMatchObject({ groupName: evaluated.groupName, reason: 'Persisted' });
      expect((await client.evaluateAll({ userID: `eval-${transport}`, country: 'NZ' })).map((result) => result.experiment)).toEqual(['checkout_button']);
      expect(await client.getExperiment('checkout_button')).toMatchObject({ name: 'checkout_button', version: 1, spec: { allocationPercent: 100 } });
    });

    it("throws typed errors carrying the server's code", async () => {
      const client = ledger.client({ transport });
      await expect(client.load('no key')).rejects.toMatchObject({ constructor: LedgerRequestError, code: 'INVALID_PERSISTENCE_KEY' });
      await expect(client.load('no key', { asOf: '2026-01-01T00:00:00Z' })).rejects.toMatchObject({ constructor: LedgerRequestError, code: 'INVALID_PERSISTENCE_KEY' });
      await expect(client.save(key, 'exp', { value: true } as never)).rejects.toMatchObject({ constructor: LedgerRequestError, code: 'INVALID_REQUEST' });
      await expect(client.getExperiment('no_such_experiment')).rejects.toMatchObject({ constructor: LedgerRequestError, code: 'UNKNOWN_EXPERIMENT' });
      await expect(ledger.client({ transport, apiKey: 'not-a-key' }).load(key)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    });
  });

  it('coalesces the loads of one tick into one batch-load, which a bad key does not fail for the others', async () => {
    const client = ledger.client();
    await client.save('batch-0:userID', 'exp', stickyValueFor('Control'));
    const before = await ledger.callsReceived();
    const refused = client.load('not a key');
    const loaded = await Promise.all(['batch-0', 'batch-1', 'batch-2', 'batch-0'].map((id) => client.load(`${id}:userID`)));
    await expect(refused).rejects.toMatchObject({ code: 'INVALID_PERSISTENCE_KEY' });
    expect(callsBetween(before, await ledger.callsReceived())).toEqual({ 'http POST /v1/persisted/batch-load': 1 });
    expect(loaded.map((values) => values.exp?.group_name ?? null)).toEqual(['Control', null, null, 'Control']);
  });

  it('refuses a caller declaration other than sdk_adapter, and appends nothing', async () => {
    const response = await fetch(`${ledger.url}/v1/persisted/caller-1:userID/exp`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ledger.environment.adminKey}`, 'content-type': 'application/json', 'x-ledger-caller': 'evaluation' },
      body: JSON.stringify(stickyValueFor('Control')),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('INVALID_REQUEST');
    expect(await ledger.client().load('caller-1:userID')).toEqual({});
  });

  describe('against a ledger that is down or slow', () => {
    let server: Server;
    let url: string;
    let answers: number[];
    let received: number;

    beforeEach(async () => {
      received = 0;
      server = createServer((request, response) => {
        received++;
        const status = answers.shift() ?? 200;
        if (status === 0) return; // never answers
        response.writeHead(status, { 'content-type': 'application/json', ...(status === 503 ? { 'retry-after': '0' } : {}) });
        response.end(
          JSON.stringify(status === 200 ? { results: {}, outcome: 'saved', value: null, eventId: 'e' } : { error: { code: status === 503 ? 'BROKER_UNAVAILABLE' : 'INVALID_REQUEST', message: 'no' } }),
        );
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    afterEach(() => {
      server.closeAllConnections();
      server.close();
    });

    it('retries a safe call on a 503 with backoff, and gives up after its attempts', async () => {
      answers = [503, 503];
      const client = new LedgerClient({ url, apiKey: 'k', retry: { attempts: 3, baseDelayMs: 1 } });
      await expect(client.save('r:userID', 'exp', stickyValueFor('Control'))).resolves.toMatchObject({ outcome: 'saved' });
      expect(received).toBe(3);
      answers = [503, 503, 503];
      await expect(client.load('r:userID')).rejects.toMatchObject({ constructor: LedgerUnavailableError, code: 'BROKER_UNAVAILABLE', status: 503 });
    });

    it('does not retry a call that is not safe to repeat, nor a refused one', async () => {
      answers = [503];
      const client = new LedgerClient({ url, apiKey: 'k', retry: { baseDelayMs: 1 } });
      await expect(client.publishExperiment('x', checkoutButtonSpec() as never)).rejects.toBeInstanceOf(LedgerUnavailableError);
      expect(received).toBe(1);
      answers = [400];
      await expect(client.save('r:userID', 'exp', stickyValueFor('Control'))).rejects.toBeInstanceOf(LedgerRequestError);
      expect(received).toBe(2);
    });

    it('ends a call at its deadline', async () => {
      answers = [0];
      const client = new LedgerClient({ url, apiKey: 'k', deadlineMs: 200 });
      const started = Date.now();
      await expect(client.load('slow:userID')).rejects.toMatchObject({ constructor: LedgerDeadlineExceededError, code: 'DEADLINE_EXCEEDED' });
      expect(Date.now() - started).toBeLessThan(2000);
    });
  });
});
