// End-to-end harness: code-server with the packaged VSIX installed, a workspace copy, optionally the
// reference server, and Chromium on the workbench. Failed tests leave a screenshot in test-results/.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { repoRoot, startCodeServer } from '../../host/codeServer';
import type { CodeServer } from '../../host/codeServer';
import { launchBrowser } from '../../host/browser';
import type { BrowserSession } from '../../host/browser';
import { makeTempDir, withTimeout } from '../../host/processes';
import { prepareWorkspace, vsixPath } from '../../host/workspace';
import { startReferenceServer } from '../../support/referenceServer';
import type { ReferenceServer } from '../../support/referenceServer';

export interface Workbench {
  readonly page: Page;
  readonly codeServer: CodeServer;
  readonly workspace: string;
  readonly reference?: ReferenceServer;
  close(): Promise<void>;
}

export interface WorkbenchOptions {
  /** Folder copied as the workspace; defaults to demo/workspace. */
  readonly workspaceSource?: string;
  /** Start the reference server and point `triton.servers` at it. */
  readonly referenceServer?: boolean;
  /** Extra workspace settings. */
  readonly settings?: Record<string, unknown>;
  /** Settings known only when the test starts (e.g. the address of a server its `before` started). */
  readonly settingsFrom?: () => Record<string, unknown>;
  readonly env?: Record<string, string>;
}

export async function openWorkbench(options: WorkbenchOptions = {}): Promise<Workbench> {
  const vsix = vsixPath();
  if (!existsSync(vsix)) throw new Error(`${vsix} is missing; run npm run package first`);
  const temp = makeTempDir('triton-e2e-workspace');
  let reference: ReferenceServer | undefined;
  let codeServer: CodeServer | undefined;
  let browser: BrowserSession | undefined;
  const cleanup = async (): Promise<void> => {
    await browser?.close();
    await codeServer?.stop();
    await reference?.stop();
    temp.remove();
  };
  try {
    if (options.referenceServer) reference = await withTimeout(startReferenceServer(), 60_000, 'starting the reference server');
    const workspace = prepareWorkspace(join(temp.path, 'workspace'), {
      source: options.workspaceSource,
      server: reference,
      settings: { ...options.settings, ...options.settingsFrom?.() },
    });
    codeServer = await startCodeServer({ vsix: [vsix], env: options.env, echo: process.env.HOST_LOG ? '[code-server]' : undefined });
    browser = await launchBrowser();
    const page = browser.page;
    page.setDefaultTimeout(20_000);
    await page.goto(codeServer.workbenchUrl(workspace), { timeout: 60_000 });
    await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 60_000 });
    return { page, codeServer, workspace, reference, close: cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80);
}

/** Writes media/screenshots/<name>.png for the README, only when UPDATE_SCREENSHOTS=1. */
export async function saveScreenshot(page: Page, name: string): Promise<string | undefined> {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return undefined;
  const dir = join(repoRoot, 'media/screenshots');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${slug(name)}.png`);
  await page.screenshot({ path });
  return path;
}

async function saveFailureScreenshot(page: Page, name: string): Promise<void> {
  const dir = join(repoRoot, 'test-results');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${slug(name)}.png`);
  try {
    await page.screenshot({ path, timeout: 10_000 });
    console.log(`[e2e] screenshot of the failure: ${path}`);
  } catch (error) {
    console.log(`[e2e] no screenshot of the failure: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A node:test test with a fresh workbench; a failure leaves test-results/<name>.png behind. */
export function e2eTest(
  name: string,
  fn: (workbench: Workbench, t: TestContext) => Promise<void>,
  options: WorkbenchOptions & { timeoutMs?: number } = {},
): void {
  test(name, { timeout: options.timeoutMs ?? 180_000 }, async (t) => {
    const workbench = await openWorkbench(options);
    try {
      await fn(workbench, t);
    } catch (error) {
      await saveFailureScreenshot(workbench.page, name);
      throw error;
    } finally {
      await workbench.close();
    }
  });
}
