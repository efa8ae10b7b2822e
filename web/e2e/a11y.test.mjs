// Accessibility: axe-core with the WCAG 2.0, 2.1 and 2.2 A and AA rules
// (`axe.mjs`), on every
// page of the admin app in English and in 中文, each with something on it (a
// decision, a staged edit and its list of changes, a bundle's matrix, a
// change request's page).
// Any violation fails, listed with the element it names.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveDist } from '../../scripts/serve-dist.mjs';
import { audit } from './axe.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
let server, browser, base;

before(async () => {
  server = await serveDist(join(root, 'dist'));
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
});
after(async () => {
  await browser?.close();
  server?.close();
});

for (const lang of ['en', 'zh']) {
  test(`every page passes axe-core's WCAG 2.2 A/AA rules (${lang})`, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${base}/simulate`);
    await page.getByTestId('title').waitFor();
    if (lang === 'zh') {
      await page.getByTestId('lang-switch').click();
      await page.getByTestId('title').filter({ hasText: '管理后台' }).waitFor();
    }
    // Something on the pages: a change request, then a staged move and its changes.
    const stage = async () => {
      await page.getByTestId('sim-user').selectOption('rep_east_bob');
      await page.getByTestId('sim-role').selectOption('sales_rep_west');
      await page.getByTestId('sim-stage').click();
      await page.getByTestId('changes-row').first().waitFor();
    };
    await stage();
    await page.getByTestId('nav-requests').click();
    await page.getByTestId('request-propose').click();
    await page.locator('[data-testid="request"][data-request="R1"]').waitFor();
    await page.waitForTimeout(300); // let the IndexedDB write land
    await page.getByTestId('nav-simulate').click();
    await stage();
    const found = [];
    // A simulation's link whose edits differ from those staged here: the page offers them.
    const offered = `simulate?edits=${encodeURIComponent(JSON.stringify([{ op: 'set_user_active', user: 'rep_east_alice', active: false }]))}`;
    const pages = ['who?user=rep_east_bob&record=acc_eu_1', 'who', 'simulate', offered, 'org', 'permissions', 'lint', 'data', 'requests', 'requests/R1', 'versions', 'audit', 'reviews', 'activity'];
    for (const address of pages) {
      await page.goto(`${base}/${address}`);
      await page.getByTestId('app').waitFor();
      if (address === 'permissions') await page.getByTestId('perm-bundle').selectOption({ index: 1 });
      if (address.startsWith('who?')) await page.getByTestId('decision-message').waitFor();
      if (address === 'requests/R1') await page.getByTestId('request-change-row').first().waitFor();
      if (address === offered) await page.getByTestId('sim-link-offer').waitFor();
      found.push(...(await audit(page, `/${address}`)));
    }
    assert.deepEqual(found, [], found.join('\n'));
    await context.close();
  });
}

// The large org's Who page: its user and record fields suggest as the
// admin types, and a record's users and the decision come from the worker.
test("the large org's search fields and worker answers pass axe-core's WCAG 2.2 A/AA rules (en, zh)", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/data?records=20000`);
  await page.getByTestId('load-large').click();
  const found = [];
  for (const lang of ['en', 'zh']) {
    if (lang === 'zh') await page.getByTestId('lang-switch').click();
    await page.goto(`${base}/who?user=user_42&record=acc_1`);
    await page.getByTestId('record-users-count').waitFor({ timeout: 120_000 });
    await page.getByTestId('record-row').first().waitFor({ timeout: 120_000 });
    await page.getByTestId('who-record').fill('');
    await page.getByTestId('who-record').pressSequentially('acc_2');
    await page.locator('[data-testid="who-record-suggestions"] option').first().waitFor({ state: 'attached' });
    found.push(...(await audit(page, `/who (large org, ${lang})`)));
  }
  assert.deepEqual(found, [], found.join('\n'));
  await context.close();
});

// Keyboard: Tab alone reaches the navigation and the page's controls, each
// shows a visible focus ring when reached, and Enter operates a button and
// a link (no mouse anywhere in this test).
test('the app is operable from the keyboard alone, with a visible focus ring on every control reached', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/who`);
  await page.getByTestId('title').waitFor();
  const focused = () =>
    page.evaluate(() => {
      const el = document.activeElement;
      const style = getComputedStyle(el);
      return { testid: el?.dataset?.testid ?? '', outline: style.outlineStyle, width: parseFloat(style.outlineWidth) };
    });
  const tabTo = async (testid) => {
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      const now = await focused();
      assert.ok(now.outline !== 'none' && now.width >= 2, `a visible focus ring on ${now.testid || 'the focused element'}: ${JSON.stringify(now)}`);
      if (now.testid === testid) return;
    }
    assert.fail(`Tab never reached ${testid}`);
  };
  await tabTo('nav-requests');
  await page.keyboard.press('Enter');
  await page.getByTestId('page-requests').waitFor();
  assert.match(page.url(), /\/requests$/);
  await page.goto(`${base}/who`);
  await page.getByTestId('title').waitFor();
  await tabTo('who-try-user'); // past the pickers, to the first screen's link
  await page.keyboard.press('Enter');
  await page.getByTestId('user-records').waitFor();
  assert.match(page.url(), /\/who\?user=/);
  await context.close();
});
