import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StompTransport } from '@qr/lemur';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rabbit } from './support/env.js';
import { repoRoot } from './support/processes.js';
import { seedExperts, TestSystem } from './support/system.js';

// The pages in a real browser: Debian's Chromium driven by playwright-core (not its own browser
// download), against the api serving the built pages, with a matcher on RabbitMQ. Screenshots go to
// test/artifacts/ (git-ignored).

const artifacts = path.join(repoRoot, 'test/artifacts');
const system = new TestSystem();
const profile = mkdtempSync(path.join(tmpdir(), 'qr-chromium-'));
let browser: BrowserContext;
let people: { hops: number; wine: number; asker: number };

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  await system.setUp();
  await system.startApi();
  await system.startMatcher();
  people = await seedExperts(system);
  // a persistent context is how Playwright takes a --user-data-dir: a fresh, empty one
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await system.tearDown();
  rmSync(profile, { recursive: true, force: true });
}, 60_000);

/** Types a token into the page's field as a person would (pasted, then they move on), and, on the operations page, uses it. */
async function enterToken(page: Page, label: string, token: string): Promise<void> {
  const field = page.getByLabel(label);
  await field.fill(token);
  await field.blur(); // the change event
  if (label === 'Admin token') await page.getByRole('button', { name: 'Use it' }).click();
}

/** Fails the test on any request to somewhere other than the api: the pages must be self-contained. */
function onlyOurOrigin(page: Page): string[] {
  const outside: string[] = [];
  const origin = new URL(system.apiUrl).origin;
  page.on('request', (request) => {
    if (!request.url().startsWith(origin) && !request.url().startsWith('data:')) outside.push(request.url());
  });
  return outside;
}

describe('the pages', () => {
  it('asks a question as a demo person and shows the expert arriving live, with reasons and the matched words marked', { timeout: 60_000 }, async () => {
    const page = await browser.newPage();
    const outside = onlyOurOrigin(page);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${system.apiUrl}/#token=${TestSystem.serviceToken}`);
    expect(await page.getByLabel('Service token').inputValue()).toBe(''); // a token in a URL is not taken: it would stay in the history
    await enterToken(page, 'Service token', TestSystem.serviceToken);
    // every control has a label, and the form works by keyboard
    await page.getByLabel('Ask as').selectOption({ label: `asker (#${people.asker})` });
    await page.getByLabel('Title').fill('How do I get more bitterness from hops in my IPA?');
    await page.getByLabel('Question', { exact: true }).fill('My IPA lacks bitterness. When should the hops go in the boil?');
    await page.getByLabel('Tags (comma-separated)').fill('hops, ipa');
    await page.getByLabel('Tags (comma-separated)').press('Enter');

    const first = page.locator('#matches li.match').first();
    await first.waitFor({ timeout: 20_000 });
    expect(await first.getAttribute('data-user-id')).toBe(String(people.hops));
    await expect.poll(() => first.textContent()).toContain('hops');
    expect(await first.locator('.reasons').textContent()).toMatch(/tags: .*hops/);
    expect(await page.locator('#question mark').count()).toBeGreaterThan(0);
    expect(await page.locator('#status').textContent()).toMatch(/people asked/);
    await page.screenshot({ path: path.join(artifacts, 'ask-and-watch.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  });

  it('lets a person pause being asked on the preferences page; the next question goes to someone else and says so', { timeout: 60_000 }, async () => {
    const page = await browser.newPage();
    const outside = onlyOurOrigin(page);
    await page.goto(`${system.apiUrl}/preferences.html`);
    await enterToken(page, 'Service token', TestSystem.serviceToken);
    await page.getByLabel('Person').selectOption({ label: `hops (#${people.hops})` });
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 10_000 }).toContain(`Preferences of hops`);
    await page.getByLabel(/At most this many asks a day/).fill('3');
    await page.getByLabel(/Ask nothing until/).fill('2099-12-31');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 10_000 }).toMatch(/Saved/);
    const stored = await fetch(`${system.apiUrl}/users/${people.hops}/preferences`, { headers: TestSystem.serviceHeaders });
    expect(await stored.json()).toMatchObject({ maxAsksPerDay: 3, pausedUntil: '2099-12-31T23:59:59.000Z' });
    await page.screenshot({ path: path.join(artifacts, 'preferences.png'), fullPage: true });

    // the matcher hears of it at once (people_changed): the hops expert is passed over, and the page says for whom
    await page.goto(`${system.apiUrl}/`);
    await page.getByLabel('Ask as').selectOption({ label: `asker (#${people.asker})` });
    await page.getByLabel('Title').fill('Which hops give the most bitterness?');
    await page.getByLabel('Question', { exact: true }).fill('Bittering hops for an IPA boil.');
    await page.getByLabel('Tags (comma-separated)').fill('hops');
    await page.getByRole('button', { name: 'Ask' }).click();
    const first = page.locator('#matches li.match').first();
    await first.waitFor({ timeout: 20_000 });
    expect(await page.locator(`#matches li.match[data-user-id="${people.hops}"]`).count()).toBe(0);
    expect(await first.locator('.reasons').textContent()).toContain('asked instead of hops');
    expect(outside).toEqual([]);

    // and back: no pause
    await page.goto(`${system.apiUrl}/preferences.html`);
    await page.getByLabel('Person').selectOption({ label: `hops (#${people.hops})` });
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 10_000 }).toContain(`Preferences of hops`);
    await page.getByLabel(/Ask nothing until/).fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 10_000 }).toMatch(/Saved/);
    await page.close();
  });

  it('shows queues and a dead letter with its reason on the operations page, and replays it', { timeout: 60_000 }, async () => {
    // a message the matcher cannot read: dead-lettered with the reason
    const transport = new StompTransport({ url: `stomp://${rabbit.host}:${rabbit.stompPort}`, login: rabbit.login, passcode: rabbit.passcode, vhost: system.vhost, managementUrl: rabbit.managementUrl });
    await transport.connect();
    await transport.publish({ queue: 'question.asked' }, { id: 'broken-1', type: 'question.asked', headers: { 'x-message-id': 'broken-1', 'x-message-type': 'question.asked' }, body: '{"questionId": "not a number"' });
    await transport.close();

    const page = await browser.newPage();
    const outside = onlyOurOrigin(page);
    await page.goto(`${system.apiUrl}/ops.html`);
    await enterToken(page, 'Admin token', TestSystem.adminToken);
    await page.locator('#queues tbody th', { hasText: /^question\.asked$/ }).waitFor({ timeout: 15_000 });
    const row = page.locator('#queues tbody tr', { has: page.locator('th', { hasText: /^question\.asked$/ }) });
    // consumers: the matcher (RabbitMQ's figures can lag a few seconds)
    await expect.poll(async () => Number(await row.locator('td').nth(2).textContent()), { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    const letter = page.locator('#dead li.dead-letter').first();
    await letter.waitFor({ timeout: 20_000 });
    expect(await letter.locator('.reason').textContent()).toContain('body is not valid JSON');
    expect(await page.locator('#queues svg.spark').count()).toBeGreaterThan(3);
    await page.screenshot({ path: path.join(artifacts, 'operations.png'), fullPage: true });

    // replay it (it will die again, the cause is still there): the button is reachable and says what it did
    await letter.getByRole('button', { name: /Replay dead letter broken-1/ }).click();
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 10_000 }).toMatch(/Replayed 1 dead letter/);
    expect(outside).toEqual([]);
    await page.close();
  });
});
