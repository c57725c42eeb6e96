import { type Browser, chromium, type Page } from 'playwright-core';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Debian's chromium, headless. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** The matrix as the page shows it: image name → host name → status. */
export async function matrix(page: Page): Promise<Record<string, Record<string, string>>> {
  return page.$$eval('#matrix', ([table]) => {
    const hosts = [...table!.querySelectorAll('thead th')].slice(4).map((th) => th.textContent ?? '');
    const rows: Record<string, Record<string, string>> = {};
    for (const row of table!.querySelectorAll('tbody tr')) {
      const name = row.querySelector('td strong')?.textContent ?? '';
      rows[name] = Object.fromEntries([...row.querySelectorAll('td.cell')].map((cell, i) => [hosts[i], cell.getAttribute('data-status') ?? '']));
    }
    return rows;
  });
}

/** Logs in on the dashboard at `url` with the operator token and waits until its live updates are on. */
export async function logIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(url);
  await page.fill('#token', token);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#live.live-on');
}
