import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { AgentProcess } from './support/agent.js';
import { ControllerProcess } from './support/controller.js';
import { launchChromium, matrix } from './support/dashboard-page.js';
import { adminImageToken, createImageWithData } from './support/image-api.js';
import { REPO_ROOT, tempDir } from './support/processes.js';

const ARTIFACTS = join(REPO_ROOT, 'test/artifacts');
describe('the dashboard in headless Chromium', () => {
  // One copy per image, so that each host lacks the image uploaded to the other: the matrix shows ok and missing.
  const controller = new ControllerProcess({ IMAGELIB_HEARTBEAT_INTERVAL_MS: '500', IMAGELIB_IMAGE_COPIES: '1' });
  const agents = ['dash-a', 'dash-b'].map((name) => new AgentProcess(name, controller));
  let browser: Browser;
  let page: Page;
  let urls: string[] = [];
  let imageToken = '';
  const requested: string[] = [];
  const dashboard = () => `http://127.0.0.1:${controller.httpPort}/dashboard`;

  beforeAll(async () => {
    await controller.start();
    const enrolment = await controller.joinToken({ maxUses: 2 });
    const ids = await Promise.all(agents.map((agent) => agent.startConnected(enrolment)));
    urls = await controller.giveImageLibraryRole(ids, [join(tempDir('repo-a'), 'images'), join(tempDir('repo-b'), 'images')]);
    imageToken = await adminImageToken(controller);
    await createImageWithData(urls[0]!, imageToken, 'cirros', randomBytes(64 * 1024));
    await createImageWithData(urls[1]!, imageToken, 'debian', randomBytes(128 * 1024));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (request) => requested.push(request.url()));
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(agents.map((agent) => agent.kill('SIGTERM')));
    await controller.kill('SIGTERM');
  });

  it('refuses a wrong token with the reason', async () => {
    await page.goto(dashboard());
    await page.fill('#token', 'wrongtok.0123456789abcdef0123456789abcdef');
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#login-error:not([hidden])');
    expect(await page.textContent('#login-error')).toBe('Login failed: the operator token is not valid');
    expect(await page.isHidden('#main')).toBe(true);
  });

  it('logs in with the operator token and shows hosts, the image × host matrix with reasons, and the endpoints', async () => {
    await page.fill('#token', controller.adminToken);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#live.live-on');
    await page.locator('#matrix td.cell[data-status="ok"]').nth(1).waitFor();
    expect(await matrix(page)).toEqual({ cirros: { 'dash-a': 'ok', 'dash-b': 'missing' }, debian: { 'dash-a': 'missing', 'dash-b': 'ok' } });
    const missing = page.locator('#matrix tr', { hasText: 'cirros' }).locator('td.cell[data-status="missing"] .badge');
    expect(await missing.getAttribute('title')).toMatch(/^dash-b: .+/);
    expect(await page.locator('#hosts tbody tr').allTextContents()).toEqual([expect.stringMatching(/dash-a.*connected.*active/), expect.stringMatching(/dash-b.*connected.*active/)]);
    expect(await page.locator('#endpoints tbody tr').count()).toBe(2);
    expect(await page.locator('#endpoints tbody').textContent()).toContain('healthy');
  });

  it('filters by image name, host and problems', async () => {
    await page.fill('#filter-image', 'deb');
    expect(Object.keys(await matrix(page))).toEqual(['debian']);
    await page.fill('#filter-image', '');
    await page.selectOption('#filter-host', { label: 'dash-b' });
    expect(await matrix(page)).toEqual({ cirros: { 'dash-b': 'missing' }, debian: { 'dash-b': 'ok' } });
    await page.check('#filter-problems');
    expect(await matrix(page)).toEqual({ cirros: { 'dash-b': 'missing' } });
    await page.uncheck('#filter-problems');
    await page.selectOption('#filter-host', '');
  });

  it('shows an image uploaded meanwhile without a reload', async () => {
    await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));
    await createImageWithData(urls[0]!, imageToken, 'alpine', randomBytes(32 * 1024));
    await page.locator('#matrix tbody tr', { hasText: 'alpine' }).locator('td.cell[data-status="ok"]').waitFor();
    expect((await matrix(page)).alpine).toEqual({ 'dash-a': 'ok', 'dash-b': 'missing' });
    expect(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded)).toBe(true);
  });

  it('turns the cells of a killed agent offline without a reload, and keeps tokens and tickets out of the log', async () => {
    const offlineHost = agents[1]!.hostId;
    await agents[1]!.kill('SIGKILL');
    // Each of the three images' cells of that host; the matrix check below says they are all offline.
    await page.locator(`#matrix td.cell[data-host="${offlineHost}"][data-status="offline"]`).nth(2).waitFor({ timeout: 10_000 });
    expect(await matrix(page)).toEqual({
      alpine: { 'dash-a': 'ok', 'dash-b': 'offline' },
      cirros: { 'dash-a': 'ok', 'dash-b': 'offline' },
      debian: { 'dash-a': 'missing', 'dash-b': 'offline' },
    });
    expect(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(await page.locator('#hosts tbody tr', { hasText: 'dash-b' }).textContent()).toContain('disconnected');
    expect(await page.locator('#matrix tr', { hasText: 'debian' }).locator('td.cell[data-status="offline"] .badge').getAttribute('title')).toMatch(/^dash-b: host disconnected at /);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });

    const tickets = requested.filter((url) => url.includes('/api/v1/events?ticket=')).map((url) => new URL(url).searchParams.get('ticket') ?? '');
    expect(tickets.length).toBeGreaterThanOrEqual(1);
    const log = readFileSync(controller.logFile, 'utf8');
    for (const secret of [controller.adminToken.split('.')[1]!, ...tickets]) expect(log).not.toContain(secret);
  });
});
