/**
 * The knowledge-base panel in the real console (Chromium, browser mode):
 * search from the first character, keyboard navigation, and article HTML
 * from the source rendered inert.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KnowledgeBase } from '../../src/host/kb/index';
import { startServer, type RunningServer } from '../../src/server/main';
import { launchChromium } from '../support/browser';
import { startConsole, type RunningConsole } from '../support/console';
import { REPO_ROOT } from '../support/rig';
import { tempDir } from '../support/tmp';

const MALICIOUS = {
  sourceId: 'EVIL-1',
  title: '停水怎么办（测试用恶意条目）',
  answerHtml: [
    '<p>请拨打供水热线。</p>',
    '<script>window.__pwned = "script"</script>',
    '<img src="x" onerror="window.__pwned = \'onerror\'">',
    '<a href="javascript:window.__pwned=\'link\'" id="evil-link">点此查看</a>',
    '<div onmouseover="window.__pwned = \'hover\'" id="evil-div">悬停</div>',
    '<iframe src="javascript:parent.__pwned=\'iframe\'"></iframe>',
    '<a href="https://www.gov.cn/" id="good-link">政府网站</a>',
    '<style>body{display:none}</style>',
  ].join(''),
  keywords: ['停水', '供水'],
  unit: '自来水公司',
};
const ARTICLES = [
  MALICIOUS,
  { sourceId: 'BUS-1', title: '公車票價如何計算？', answerHtml: '<p>臺北市公車分段收費，詳見公車處網站。</p>', keywords: ['公車', '票價'], unit: '公共運輸處' },
  { sourceId: 'ID-1', title: '身分證遺失如何補辦？', answerHtml: '<p>請攜帶戶口名簿至戶政事務所申請補發。</p>', keywords: ['身分證', '補辦'], unit: '民政局' },
];

let tmp: ReturnType<typeof tempDir>;
let server: RunningServer;
let consoleApp: RunningConsole;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  tmp = tempDir('qingyu-kb-e2e-');
  server = await startServer({ port: 0, dataDir: path.join(tmp.dir, 'server'), print: () => {} });
  consoleApp = await startConsole({ dbPath: path.join(tmp.dir, 'console.db'), serverUrl: server.url });
  new KnowledgeBase(consoleApp.host.db).importArticles(ARTICLES);
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1440, height: 860 }, locale: 'zh-CN' })).newPage();
  await page.goto(consoleApp.mode.url);
  await page.getByTestId('login-username').fill('op1001');
  await page.getByTestId('login-password').fill('qingyu-1001');
  await page.getByTestId('login-submit').click();
  await page.getByTestId('kb-search').waitFor();
});

afterAll(async () => {
  await browser?.close().catch(() => {});
  await consoleApp?.stop().catch(() => {});
  await server?.close().catch(() => {});
  tmp?.cleanup();
});

describe('the knowledge-base panel', () => {
  it('a mainland word finds the Traditional article from the first characters typed', async () => {
    await page.getByTestId('kb-search').fill('公交');
    await page.locator('[data-testid=kb-result][data-source-id=BUS-1]').waitFor({ timeout: 5000 });
    await page.getByTestId('kb-search').fill('身份证');
    await page.locator('[data-testid=kb-result][data-source-id=ID-1]').waitFor({ timeout: 5000 });
  });

  it('↓ and Enter open an article, Esc goes back to the results', async () => {
    await page.getByTestId('kb-search').fill('停水');
    await page.locator('[data-testid=kb-result][data-source-id=EVIL-1]').waitFor({ timeout: 5000 });
    await page.getByTestId('kb-search').press('Enter');
    await page.getByTestId('kb-article').waitFor({ timeout: 5000 });
    expect(await page.getByTestId('kb-article').textContent()).toContain('请拨打供水热线');
    await page.keyboard.press('Escape');
    await page.getByTestId('kb-search').waitFor();
  });

  it('article HTML with scripts, event handlers and javascript: links renders inert', async () => {
    await page.getByTestId('kb-search').fill('停水');
    await page.locator('[data-testid=kb-result][data-source-id=EVIL-1]').click();
    const body = page.getByTestId('kb-article-body');
    await body.waitFor();
    const html = await body.innerHTML();
    expect(html).not.toMatch(/<script|<iframe|<style|onerror|onmouseover|javascript:/i);
    expect(await body.locator('a', { hasText: '政府网站' }).getAttribute('href')).toBe('https://www.gov.cn/');
    expect(await body.locator('a', { hasText: '点此查看' }).getAttribute('href')).toBeNull();
    await body.getByText('悬停').hover();
    await body.locator('a', { hasText: '点此查看' }).click();
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as any).__pwned ?? null)).toBeNull();
    await page.screenshot({ path: path.join(REPO_ROOT, 'docs', 'screenshots', 'kb-article.png') });
  });
});
