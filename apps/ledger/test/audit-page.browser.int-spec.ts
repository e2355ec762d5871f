import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { type Browser, type BrowserContext, chromium, type Page, type Request } from 'playwright-core';
import { projectRoot } from '@ledger/platform';
import { checkoutButtonSpec, createTestEnvironment, jsonClient, type JsonClient, stickyValueFor, type TestEnvironment } from '@ledger/testing';
import { loadProjectorConfig } from '../../projector/src/config';
import { createProjectorApp } from '../../projector/src/projector.app';
import { loadLedgerConfig } from '../src/config';
import { createLedgerApp } from '../src/ledger.app';

// Debian's chromium, driven without a download: the test needs no network beyond loopback.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = join(projectRoot(__dirname), '.cache', 'screenshots', 'audit-page.png');
// Markup in a group name: the page must show it as text and never run it.
const HOSTILE_GROUP = '<img src=x onerror="document.body.dataset.pwned=1">';

/** The few browser globals the test reads inside the page (the project compiles without the DOM library). */
interface PageGlobals {
  localStorage: { length: number };
  sessionStorage: { length: number };
  document: { body: { dataset: Record<string, string | undefined> } };
}

describe('the audit page in a real browser', () => {
  let environment: TestEnvironment;
  let ledger: INestApplication;
  let projector: INestApplication;
  let browser: Browser;
  // One browser profile: each test's tabs share it, as a person's tabs do, so "kept for the tab only" is tested as meant.
  let context: BrowserContext;
  let api: JsonClient;
  let baseUrl: string;

  beforeAll(async () => {
    environment = await createTestEnvironment('audit_page');
    [ledger, projector, browser] = await Promise.all([
      createLedgerApp(loadLedgerConfig(environment.env)),
      createProjectorApp(loadProjectorConfig(environment.env)),
      chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      }),
    ]);
    context = await browser.newContext();
    baseUrl = await ledger.getUrl();
    api = jsonClient(baseUrl, { authorization: `Bearer ${environment.adminKey}` });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await projector?.close();
    await ledger?.close();
    await environment?.cleanup();
  });

  /** A fresh tab that records what it asks for and any script error or CSP violation. */
  async function openPage(): Promise<{ page: Page; requests: Request[]; problems: string[] }> {
    const page = await context.newPage();
    const requests: Request[] = [];
    const problems: string[] = [];
    page.on('request', (request) => requests.push(request));
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
    });
    await page.goto(`${baseUrl}/audit`);
    return { page, requests, problems };
  }

  it("shows a unit's timeline with its explanation and an experiment's groups as a chart, with the key kept in the tab", async () => {
    // Seed through the API: a unit evaluated into Test, a few more units, then the experiment changes under them.
    await api.put('/v1/experiments/checkout_button', checkoutButtonSpec());
    const kiwi = await api.post('/v1/experiments/checkout_button/evaluate', { user: { userID: 'test-123', country: 'NZ' } });
    expect(kiwi.body).toMatchObject({ groupName: 'Test' });
    for (const userID of ['nz-1', 'nz-2', 'nz-3', 'nz-4', 'nz-5', 'nz-6']) {
      expect((await api.post('/v1/experiments/checkout_button/evaluate', { user: { userID, country: 'NZ' } })).status).toBe(200);
    }
    expect((await api.put('/v1/persisted/hostile:userID/checkout_button', stickyValueFor(HOSTILE_GROUP))).status).toBe(201);
    await api.put('/v1/experiments/checkout_button', checkoutButtonSpec({ allocationPercent: 10, targeting: [] }));
    const assignments = await api.get('/v1/experiments/checkout_button/assignments');
    const groups: Array<{ group: string; units: number }> = assignments.body.groups;
    expect(groups.map((group) => group.group)).toEqual(expect.arrayContaining(['Test', HOSTILE_GROUP]));

    const { page, requests, problems } = await openPage();

    // Without a key the API refuses, and the page says so.
    await page.fill('#unit-key', 'test-123:userID');
    await page.click('#unit-form button[type=submit]');
    await page
      .locator('#status.error')
      .getByText(/^401: /)
      .waitFor();
    expect(await page.locator('#unit-result').textContent()).toBe('');

    await page.fill('#api-key', environment.adminKey);
    await page.click('#key-form button[type=submit]');
    await page.getByText('key set: kept for this tab only').waitFor();
    expect(await page.inputValue('#api-key')).toBe('');
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).localStorage.length)).toBe(0);

    // A hostile group name is shown as the text it is.
    await page.fill('#unit-key', 'hostile:userID');
    await page.click('#unit-form button[type=submit]');
    await page.locator('#unit-result h3').getByText('hostile:userID', { exact: true }).waitFor();
    expect(await page.locator('[data-experiment="checkout_button"] .timeline tbody td').nth(2).textContent()).toBe(HOSTILE_GROUP);

    await page.fill('#unit-key', 'test-123:userID');
    await page.click('#unit-form button[type=submit]');
    const explanation = page.locator('[data-experiment="checkout_button"] .explanation');
    await explanation.getByText(/^test-123 is in Test since \d{4}-\d{2}-\d{2} because it was first evaluated under version 1/).waitFor();
    expect(await explanation.textContent()).toContain('so the persisted value keeps it in Test.');
    expect(await page.locator('[data-experiment="checkout_button"] .timeline tbody tr').count()).toBe(1);
    expect(await page.locator('[data-experiment="checkout_button"] .badge.saved').textContent()).toBe('saved');
    expect(await page.locator('#status').textContent()).toBe('');

    // The experiment's distribution: one bar per group, named by the group.
    await page.getByText('to pick from').waitFor();
    expect(await page.locator('#experiment-names option[value="checkout_button"]').count()).toBe(1);
    await page.fill('#experiment-name', 'checkout_button');
    await page.click('#experiment-form button[type=submit]');
    await page.locator('svg.group-chart rect').first().waitFor();
    const bars = await page
      .locator('svg.group-chart rect')
      .evaluateAll((rects) => rects.map((rect) => [rect.getAttribute('data-group'), Number(rect.getAttribute('data-units')), Number(rect.getAttribute('width'))]));
    expect(bars.map(([group, units]) => ({ group, units }))).toEqual(groups);
    for (const [, , width] of bars) expect(width).toBeGreaterThan(0);
    // Labels may be shortened; their titles hold the whole name.
    expect(await page.locator('svg.group-chart text.label title').allTextContents()).toEqual(groups.map((group) => group.group));
    const shown = await page.locator('svg.group-chart text.label').evaluateAll((labels) => labels.map((label) => label.firstChild?.textContent));
    expect(shown).toEqual(groups.map((group) => (group.group === HOSTILE_GROUP ? `${HOSTILE_GROUP.slice(0, 21)}…` : group.group)));
    expect(await page.locator('table.days tbody tr').count()).toBe(assignments.body.days.length);
    expect(await page.locator('table.days tbody td').first().textContent()).toBe(new Date().toISOString().slice(0, 10));

    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).document.body.dataset.pwned ?? null)).toBeNull();
    expect(await page.locator('main img').count()).toBe(0);
    expect(problems).toEqual([]);
    // The key went only in the Authorization header of the API calls, never in a URL, and only after it was entered.
    const apiCalls = requests.filter((request) => new URL(request.url()).pathname.startsWith('/v1/'));
    const sent = await Promise.all(apiCalls.map(async (request) => ({ path: new URL(request.url()).pathname, authorization: (await request.allHeaders())['authorization'] ?? null })));
    expect(sent[0]).toEqual({ path: '/v1/audit/test-123%3AuserID', authorization: null });
    expect(sent.slice(1).every((call) => call.authorization === `Bearer ${environment.adminKey}`)).toBe(true);
    expect(sent.map((call) => call.path)).toEqual(expect.arrayContaining(['/v1/audit/test-123%3AuserID/checkout_button/explain', '/v1/experiments/checkout_button/assignments']));
    for (const request of requests) expect(request.url()).not.toContain(environment.adminKey);
    await page.close();
  });

  it('keeps the key from other tabs, and forgets it when asked', async () => {
    const { page } = await openPage();
    await page.fill('#api-key', environment.adminKey);
    await page.click('#key-form button[type=submit]');
    await page.getByText('key set: kept for this tab only').waitFor();

    const another = await openPage();
    await another.page.getByText('no key: kept for this tab only').waitFor();
    expect(await another.page.evaluate(() => (globalThis as unknown as PageGlobals).sessionStorage.length)).toBe(0);
    await another.page.close();

    await page.click('#forget-key');
    await page.getByText('no key: kept for this tab only').waitFor();
    await page.fill('#experiment-name', 'checkout_button');
    await page.click('#experiment-form button[type=submit]');
    await page
      .locator('#status.error')
      .getByText(/^401: /)
      .waitFor();
    expect(await page.locator('#experiment-result').textContent()).toBe('');
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).sessionStorage.length)).toBe(0);
    await page.close();
  });

  it('serves the page as public, data-free static files with a strict policy, and nothing else under /audit', async () => {
    const anonymous = await fetch(`${baseUrl}/audit`);
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(anonymous.headers.get('x-content-type-options')).toBe('nosniff');
    expect(anonymous.headers.get('cache-control')).toBe('no-cache');
    const policy = anonymous.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("default-src 'none'");
    expect(policy).not.toContain('unsafe');
    const html = await anonymous.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
    // The same bytes with an admin key: the page holds no data of its own.
    expect(await (await fetch(`${baseUrl}/audit`, { headers: { authorization: `Bearer ${environment.adminKey}` } })).text()).toBe(html);

    const etag = anonymous.headers.get('etag')!;
    expect((await fetch(`${baseUrl}/audit`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    const script = await fetch(`${baseUrl}/audit/audit-page.js`);
    expect({ status: script.status, type: script.headers.get('content-type'), nosniff: script.headers.get('x-content-type-options') }).toEqual({
      status: 200,
      type: 'text/javascript; charset=utf-8',
      nosniff: 'nosniff',
    });
    expect(await script.text()).not.toContain('innerHTML');
    for (const path of ['/audit/index.html', '/audit/package.json', '/audit/..%2Fpackage.json', '/audit/constructor']) expect((await fetch(`${baseUrl}${path}`)).status).toBe(404);

    // The data stays behind the key.
    expect((await fetch(`${baseUrl}/v1/audit/test-123:userID`)).status).toBe(401);
    expect((await fetch(`${baseUrl}/v1/experiments/checkout_button/assignments`)).status).toBe(401);
  });
});
