// Debian's Chromium driven by playwright-core, with a throwaway HOME and the flags that keep it from
// opening background connections (refused here, many at a time).
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { existsSync } from 'node:fs';
import { makeTempDir, throwawayHomeEnv } from './processes';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface BrowserSession {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  close(): Promise<void>;
}

export async function launchBrowser(options: { width?: number; height?: number } = {}): Promise<BrowserSession> {
  if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath}. Run: npm run setup:host`);
  const home = makeTempDir('triton-chromium');
  try {
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      timeout: 30_000,
      env: { ...process.env, ...throwawayHomeEnv(home.path) } as Record<string, string>,
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
      ],
    });
    const context = await browser.newContext({ viewport: { width: options.width ?? 1400, height: options.height ?? 860 } });
    const page = await context.newPage();
    return {
      browser,
      context,
      page,
      async close() {
        await browser.close().catch(() => undefined);
        home.remove();
      },
    };
  } catch (error) {
    home.remove();
    throw error;
  }
}
