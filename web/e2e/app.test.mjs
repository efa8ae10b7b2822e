// End to end: the built admin app (dist/, served here on loopback) in
// Debian's Chromium driven by playwright-core. The expected diff comes from
// the native CLI on the same org, so the browser and the CLI must agree.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { chromium } from 'playwright-core';
import { serveDist } from '../../scripts/serve-dist.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dist = join(root, 'dist');
const shots = join(root, 'target/e2e');
const cli = process.env.CLEARANCE_BIN ?? join(root, 'target/debug/clearance');
let server, browser, base;

before(async () => {
  mkdirSync(shots, { recursive: true });
  server = await serveDist(dist);
  base = `http://127.0.0.1:${server.address().port}/`;
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
});
after(async () => {
  await browser?.close();
  server?.close();
});

async function fresh() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(base);
  await page.getByTestId('title').waitFor();
  return { page, context, errors };
}

const rowIds = (page, testid, attr) => page.getByTestId(testid).evaluateAll((els, a) => els.map((e) => e.getAttribute(a)), attr);

test('first load shows the demo org; a user lists their records with reasons; both picked give the decision', async () => {
  const { page, context, errors } = await fresh();
  // No server behind the static files: the local sandbox, labelled as such.
  await page.getByTestId('sandbox-badge').waitFor();
  assert.equal(await page.getByTestId('signed-in-as').count(), 0);
  await page.getByTestId('who-user').selectOption('rep_east_alice');
  await page.getByTestId('record-row').first().waitFor();
  const accounts = (await rowIds(page, 'record-row', 'data-key')).filter((id) => id.startsWith('acc_'));
  assert.deepEqual(accounts, ['acc_eu_1', 'acc_eu_2', 'acc_us_1']);
  assert.match(await page.getByTestId('record-row').first().innerText(), /owner/);
  // One paged list over every object: filtered by what is typed, downloadable.
  await page.getByTestId('record-filter').fill('acc_eu');
  assert.deepEqual((await rowIds(page, 'record-row', 'data-key')).filter((id) => id.startsWith('acc_')), ['acc_eu_1', 'acc_eu_2']);
  await page.getByTestId('record-filter').fill('');
  const records = decodeURIComponent(await page.getByTestId('record-csv').getAttribute('href'));
  assert.match(records, /Object,Record,Level,Reasons,Visible \/ editable fields\r\nAccount,acc_eu_1,full,/);
  await page.getByTestId('who-record').selectOption('acc_us_2');
  assert.match(await page.getByTestId('decision-stage').innerText(), /no_record_access/);
  // Explanations show the names they quote as code, not between backticks.
  const message = page.getByTestId('decision-message');
  assert.doesNotMatch(await message.innerText(), /`/);
  assert.deepEqual(await message.locator('code').allInnerTexts(), ['rep_east_alice', 'acc_us_2']);
  assert.doesNotMatch(await page.getByTestId('record-row').first().innerText(), /`/);
  await page.getByTestId('who-record').selectOption('acc_eu_1');
  await page.getByTestId('user-row').first().waitFor();
  const users = await rowIds(page, 'user-row', 'data-key');
  assert.ok(users.includes('rep_east_alice') && users.includes('mgr_east_mike'), users.join());
  // The list is the CLI's who-can: every user, the reasons with names as code, and the same list as CSV.
  const whoCan = JSON.parse(execFileSync(cli, ['who-can', 'examples/reference-org.json', '--records', 'examples/reference-records.json', '--record', 'acc_eu_1', '--action', 'read'], { cwd: root, encoding: 'utf8' }));
  assert.deepEqual([...users].sort(), whoCan.map((u) => u.user).sort());
  assert.doesNotMatch(await page.getByTestId('user-row').first().innerText(), /`/);
  const csv = decodeURIComponent((await page.getByTestId('user-csv').getAttribute('href')).replace(/^data:text\/csv;charset=utf-8,/, ''));
  assert.equal(csv.trim().split('\r\n').length, users.length + 1, 'a header and one line per user');
  assert.doesNotMatch(csv, /`/, 'the CSV has the names plain');
  await page.getByTestId('user-filter').fill('mike');
  assert.deepEqual(await rowIds(page, 'user-row', 'data-key'), ['mgr_east_mike']);
  await page.getByTestId('user-filter').fill('');
  await page.screenshot({ path: join(shots, 'who-can-see-what.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('staging "move rep_east_bob to sales_rep_west" shows exactly the CLI diff, and survives a reload', async () => {
  const { page, context, errors } = await fresh();
  await page.getByTestId('nav-simulate').click();
  await page.getByTestId('sim-user').selectOption('rep_east_bob');
  await page.getByTestId('sim-role').selectOption('sales_rep_west');
  // Edit → updated preview, timed in the page: from the click to the diff's rows being in the DOM.
  const previewMs = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const start = performance.now();
        const observer = new MutationObserver(() => {
          if (document.querySelector('[data-testid="changes-row"]')) {
            observer.disconnect();
            resolve(performance.now() - start);
          }
        });
        observer.observe(document.body, { childList: true, subtree: true });
        document.querySelector('[data-testid="sim-stage"]').click();
      }),
  );
  writeFileSync(join(shots, 'perf.json'), JSON.stringify({ edit_to_preview_ms: previewMs }));
  console.log(`# edit → preview: ${previewMs.toFixed(1)} ms`);
  // Reported above, not asserted: a wall-clock bound fails on a loaded machine.
  await page.getByTestId('staged-item').waitFor();
  const expected = JSON.parse(
    execFileSync(cli, ['diff', 'examples/reference-org.json', 'tests/orgs/reference-bob-moved.json', '--records', 'examples/reference-records.json'], { cwd: root, encoding: 'utf8' }),
  );
  // Every change, as the list's CSV download carries it (the table shows a page at a time).
  const href = await page.getByTestId('changes-csv').getAttribute('href');
  const lines = decodeURIComponent(href.slice(href.indexOf(',') + 1)).trim().split('\r\n');
  assert.equal(lines[0], 'User,Change,Object,Action,Record');
  const shown = lines.slice(1).map((line) => line.split(',')).map(([user, , , action, record]) => [user, record, action].join(' '));
  const want = expected.changes.map((c) => [c.user, c.record, c.action].join(' '));
  assert.deepEqual([...shown].sort(), [...want].sort());
  assert.equal(await page.getByTestId('changes-row').count(), Math.min(50, want.length));
  // The filter keeps the rows naming every word typed.
  await page.getByTestId('changes-filter').fill('rep_east_bob');
  const bob = want.filter((w) => w.includes('rep_east_bob')).length;
  assert.ok(bob > 0 && bob < want.length, `${bob} of ${want.length}`);
  assert.equal(await page.getByTestId('changes-row').count(), Math.min(50, bob));
  await page.getByTestId('changes-filter').fill('');
  assert.equal(Number(await page.getByTestId('diff-gained').innerText()), expected.summary.total.gained);
  assert.equal(Number(await page.getByTestId('diff-lost').innerText()), expected.summary.total.lost);
  await page.screenshot({ path: join(shots, 'simulate.png'), fullPage: true });

  await page.reload();
  await page.getByTestId('nav-simulate').click();
  assert.equal(await page.getByTestId('staged-item').count(), 1, 'the staged edit survives a reload');
  assert.deepEqual(errors, []);
  await context.close();
});

test('every view has its own address: a copied link opens it, Back and Forward move between views, the first screen is never blank', async () => {
  const { page, context, errors } = await fresh();
  // The first screen offers a first step instead of three empty pickers.
  await page.getByTestId('who-first-steps').waitFor();
  await page.getByTestId('who-try-user').click();
  await page.getByTestId('user-records').waitFor();
  assert.match(new URL(page.url()).search, /^\?user=/);
  // Picking writes the view into the address.
  await page.getByTestId('who-user').selectOption('rep_east_alice');
  await page.getByTestId('who-record').selectOption('acc_us_2');
  await page.getByTestId('decision-stage').waitFor();
  const link = page.url();
  assert.equal(new URL(link).pathname, '/who');
  assert.equal(new URL(link).searchParams.get('user'), 'rep_east_alice');
  assert.equal(new URL(link).searchParams.get('record'), 'acc_us_2');
  // Pages have their own addresses; Back returns to the view, Forward to the page.
  await page.getByTestId('nav-org').click();
  await page.getByTestId('page-org').waitFor();
  assert.equal(new URL(page.url()).pathname, '/org');
  await page.goBack();
  await page.getByTestId('decision-stage').waitFor();
  assert.equal(page.url(), link);
  assert.equal(await page.getByTestId('who-user').inputValue(), 'rep_east_alice');
  await page.goForward();
  await page.getByTestId('page-org').waitFor();
  // The copied link, opened in another browser, shows the same decision.
  const other = await browser.newContext();
  const opened = await other.newPage();
  await opened.goto(link);
  assert.match(await opened.getByTestId('decision-stage').innerText(), /no_record_access/);
  assert.equal(await opened.getByTestId('who-record').inputValue(), 'acc_us_2');
  await opened.goto(new URL('/permissions', link).href);
  await opened.getByTestId('page-permissions').waitFor();
  await other.close();
  assert.deepEqual(errors, []);
  await context.close();
});

test("a simulation's address carries its staged edits: a copied link stages them elsewhere, and never drops edits staged there", async () => {
  const edits = (url) => JSON.parse(new URL(url).searchParams.get('edits') ?? '[]');
  const { page, context, errors } = await fresh();
  await page.getByTestId('nav-simulate').click();
  await page.getByTestId('sim-user').selectOption('rep_east_bob');
  await page.getByTestId('sim-role').selectOption('sales_rep_west');
  await page.getByTestId('sim-stage').click();
  await page.getByTestId('staged-item').waitFor();
  await page.waitForURL((url) => edits(url).length === 1);
  assert.deepEqual(edits(page.url()), [{ op: 'move_user', user: 'rep_east_bob', role: 'sales_rep_west' }]);
  const gained = await page.getByTestId('diff-gained').innerText();
  const one = page.url();

  // Opened in another browser with nothing staged: the same edit, the same preview.
  const other = await browser.newContext();
  const opened = await other.newPage();
  await opened.goto(one);
  await opened.getByTestId('staged-item').waitFor();
  assert.match(await opened.getByTestId('staged-item').innerText(), /rep_east_bob/);
  assert.equal(await opened.getByTestId('diff-gained').innerText(), gained);
  await opened.getByTestId('sim-active-user').selectOption('rep_east_alice');
  await opened.getByTestId('sim-toggle').click();
  await opened.waitForURL((url) => edits(url).length === 2);
  const two = opened.url();
  await other.close();

  // Back in the first browser, one edit staged: the two-edit link is offered, not forced.
  await page.goto(two);
  await page.getByTestId('sim-link-offer').waitFor();
  assert.equal(await page.getByTestId('staged-item').count(), 1, 'the edit staged here is kept meanwhile');
  await page.getByTestId('sim-link-keep').click();
  await page.waitForURL((url) => edits(url).length === 1);
  assert.equal(await page.getByTestId('sim-link-offer').count(), 0);
  await page.goto(two);
  await page.getByTestId('sim-link-use').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="staged-item"]').length === 2);
  assert.equal(edits(page.url()).length, 2);

  // A cut-off link says what is wrong with it and stages nothing of it.
  await page.goto(new URL('/simulate?edits=%5B%7B%22op%22', one).href);
  await page.getByTestId('problem').first().waitFor();
  assert.match(await page.getByTestId('problems').innerText(), /\/edits/);
  assert.equal(await page.getByTestId('staged-item').count(), 2);
  assert.deepEqual(errors, []);
  await context.close();
});

test('an invalid import shows every error and changes nothing', async () => {
  const { page, context, errors } = await fresh();
  await page.getByTestId('who-user').selectOption('rep_east_alice');
  const before = await rowIds(page, 'record-row', 'data-key');
  await page.getByTestId('nav-data').click();
  const bad = join(tmpdir(), `clearance-bad-${process.pid}.json`);
  writeFileSync(bad, JSON.stringify({ roles: [{ id: 'r', parent: 'ghost' }], users: [{ id: 'u', role: 'nope' }] }));
  await page.getByTestId('import-file').setInputFiles(bad);
  await page.getByTestId('import-errors').waitFor();
  const problems = await page.getByTestId('problem').allInnerTexts();
  assert.ok(problems.length >= 2 && problems.some((p) => p.includes('/roles/0/parent')), problems.join('\n'));
  await page.screenshot({ path: join(shots, 'import-errors.png'), fullPage: true });
  await page.getByTestId('nav-who').click();
  await page.getByTestId('who-user').selectOption('rep_east_alice');
  assert.deepEqual(await rowIds(page, 'record-row', 'data-key'), before);
  assert.deepEqual(errors, []);
  await context.close();
});

test('switching to 中文 translates the UI', async () => {
  const { page, context, errors } = await fresh();
  await page.getByTestId('lang-switch').click();
  assert.equal(await page.getByTestId('title').innerText(), 'Clearance 管理后台');
  assert.equal(await page.getByTestId('nav-who').innerText(), '谁能看到什么');
  await page.getByTestId('who-user').selectOption('rep_east_alice');
  await page.getByTestId('record-row').first().waitFor();
  assert.match(await page.getByTestId('record-row').first().innerText(), /[\u4e00-\u9fff]/, 'explanations are in Chinese');
  await page.getByTestId('nav-org').click();
  await page.screenshot({ path: join(shots, 'org-zh.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('org edits are staged: a role still in use is refused with where; adding a role and moving a user stage', async () => {
  const { page, context, errors } = await fresh();
  await page.getByTestId('nav-org').click();
  await page.locator('[data-testid="role"][data-role="sales_rep_east"] [data-testid="role-delete"]').click();
  const refusal = await page.getByTestId('problem').first().innerText();
  assert.match(refusal, /in_use/);
  assert.match(refusal, /\/users\//);
  await page.getByTestId('new-role').fill('intern');
  await page.getByTestId('add-role').click();
  await page.locator('[data-testid="role"][data-role="intern"]').waitFor();
  await page.locator('[data-testid="org-user"][data-user="rep_east_bob"] [data-testid="user-role"]').selectOption('sales_rep_west');
  await page.getByTestId('nav-simulate').click();
  assert.equal(await page.getByTestId('staged-item').count(), 2);
  assert.ok((await page.getByTestId('changes-row').count()) > 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('permissions: criteria are validated as you type; the scope matrix stages edits', async () => {
  const { page, context, errors } = await fresh();
  await page.getByTestId('nav-permissions').click();
  const rule = page.locator('[data-testid="rule"]').first();
  await rule.getByTestId('rule-criteria').fill('record.region == ');
  const problem = await rule.getByTestId('problem').first().innerText();
  assert.match(problem, /condition_syntax/);
  assert.match(problem, /\/sharing_rules\/\d+\/criteria/);
  assert.equal(await rule.getByTestId('rule-save').isDisabled(), true);
  await rule.getByTestId('rule-criteria').fill('record.region == "US"');
  await rule.getByTestId('rule-valid').waitFor();
  await rule.getByTestId('rule-save').click();
  await page.getByTestId('perm-bundle').selectOption('profile:sales_rep');
  await page.getByTestId('scope-Account-read').selectOption('all');
  await page.screenshot({ path: join(shots, 'permissions.png'), fullPage: true });
  await page.getByTestId('nav-simulate').click();
  assert.equal(await page.getByTestId('staged-item').count(), 2);
  const gained = Number(await page.getByTestId('diff-gained').innerText());
  assert.ok(gained > 0, 'granting all on Account read gains access');
  assert.deepEqual(errors, []);
  await context.close();
});

test('groups take nested members, sessions require MFA, lint findings link to their page', async () => {
  const { page, context, errors } = await fresh();
  await page.getByTestId('nav-org').click();
  const group = page.locator('[data-testid="group"]').first();
  const id = await group.getAttribute('data-group');
  await group.locator('select').first().selectOption('role_and_subordinates');
  await group.getByTestId('group-member').fill('sales_director');
  await group.getByTestId('group-add-member').click();
  await page.locator(`[data-testid="group"][data-group="${id}"]`, { hasText: 'role_and_subordinates' }).waitFor();
  await page.getByTestId('nav-permissions').click();
  await page.getByTestId('perm-bundle').selectOption('profile:sales_rep');
  await page.getByTestId('session-mfa').check();
  await page.getByTestId('nav-simulate').click();
  const staged = await page.getByTestId('staged-item').allInnerTexts();
  assert.equal(staged.length, 2, staged.join('\n'));
  assert.match(staged[1], /requires MFA/);
  await page.getByTestId('nav-lint').click();
  await page.getByTestId('lint-link').first().click();
  assert.ok(await page.getByTestId('page-org').or(page.getByTestId('page-permissions')).count() > 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the large generated org: the diff of a user move runs in a Web Worker with progress, and the page stays responsive', async () => {
  const records = Number(process.env.LARGE_RECORDS ?? 20000);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}?records=${records}`);
  await page.getByTestId('nav-data').click();
  await page.getByTestId('load-large').click();
  await page.getByTestId('nav-simulate').click();
  // Watch the main thread: the longest gap between 10 ms timer ticks while the worker computes.
  await page.evaluate(() => {
    window.__long = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => window.__long.push(Math.round(e.duration)))).observe({ type: 'longtask' });
    window.__maxGap = 0;
    let last = performance.now();
    window.__ticker = setInterval(() => {
      const now = performance.now();
      window.__maxGap = Math.max(window.__maxGap, now - last);
      last = now;
    }, 10);
    // Whether the progress indicator ever showed: watched, not polled, so a
    // fast machine (it shows briefly) and a loaded one (it shows late) both pass.
    const showing = () => Boolean(document.querySelector('[data-testid="large-progress"]'));
    window.__sawProgress = showing();
    new MutationObserver(() => {
      if (showing()) window.__sawProgress = true;
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  });
  // The page takes input while the worker generates and loads the org: the
  // language switches both ways (and whether the worker was still at work
  // then is noted, not required: a fast machine may be done already).
  await page.getByTestId('lang-switch').click();
  await page.getByTestId('title').filter({ hasText: '管理后台' }).waitFor();
  const busyWhileSwitching = await page.evaluate(() => Boolean(document.querySelector('[data-testid="large-progress"]')));
  await page.getByTestId('lang-switch').click();
  await page.getByTestId('title').filter({ hasText: 'Clearance admin' }).waitFor();
  console.log(`# the language switched while the worker computed: ${busyWhileSwitching}`);
  const started = Date.now();
  await page.getByTestId('sim-user').fill('user_42'); // large orgs type the user id (the native diff bench moves the same user)
  await page.getByTestId('sim-user').dispatchEvent('change');
  await page.getByTestId('sim-role').selectOption('role_500');
  await page.getByTestId('sim-stage').click();
  // The staged move's result, not a diff the org's loading started before
  // it (an empty one, which a loaded machine can finish after the click).
  await page.waitForFunction(() => {
    const count = (id) => Number(document.querySelector(`[data-testid="${id}"]`)?.innerText ?? 0);
    return document.querySelector('[data-testid="large-diff-ms"]') && !document.querySelector('[data-testid="large-progress"]') && count('diff-gained') + count('diff-lost') > 0;
  }, null, { timeout: 240_000 });
  assert.equal(await page.evaluate(() => window.__sawProgress), true, 'progress showed while the worker computed');
  const total = Date.now() - started;
  const diffMs = Number((await page.getByTestId('large-diff-ms').innerText()).replace(/[^0-9.]/g, ''));
  const gained = Number(await page.getByTestId('diff-gained').innerText());
  const lost = Number(await page.getByTestId('diff-lost').innerText());
  // The long list pages: 50 rows at a time; Previous and Next move and stop at the ends.
  const status = () => page.getByTestId('changes-status').innerText();
  assert.match(await status(), /^Rows 1–50 \/ \d+ · page 1 \/ \d+$/);
  assert.equal(await page.getByTestId('changes-row').count(), 50);
  assert.equal(await page.getByTestId('changes-prev').isDisabled(), true);
  assert.equal(await page.getByTestId('changes-next').innerText(), 'Next', 'the button reads as its label, nothing else');
  await page.getByTestId('changes-next').click();
  assert.match(await status(), /^Rows 51–\d+ \/ \d+ · page 2 \/ \d+$/);
  assert.equal(await page.getByTestId('changes-prev').isDisabled(), false);
  await page.getByTestId('changes-prev').click();
  assert.match(await status(), /^Rows 1–50 /);
  // A second edit, the org already loaded in the worker: the time an admin waits per edit.
  // The next result is the one after the worker's progress shows again: its
  // text cannot tell (two diffs can take the same number of milliseconds),
  // and a fast diff's progress can come and go between two polls, so an
  // observer notes it.
  await page.evaluate(() => {
    window.__progressShown = false;
    new MutationObserver(() => {
      if (document.querySelector('[data-testid="large-progress"]')) window.__progressShown = true;
    }).observe(document.body, { childList: true, subtree: true });
  });
  const again = Date.now();
  await page.getByTestId('sim-active-user').fill('user_43');
  await page.getByTestId('sim-active-user').dispatchEvent('change');
  await page.getByTestId('sim-toggle').click();
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid="large-diff-ms"]');
    return el && window.__progressShown && !document.querySelector('[data-testid="large-progress"]');
  }, null, { timeout: 240_000 });
  const secondEdit = Date.now() - again;
  const maxGap2 = await page.evaluate(() => { clearInterval(window.__ticker); return window.__maxGap; });
  const longTasks = await page.evaluate(() => window.__long);
  console.log(`# long tasks on the main thread (ms): ${longTasks.join(', ') || 'none'}`);
  console.log(`# large org (${records} records): diff ${diffMs} ms in the worker, first edit ${total} ms from the click (incl. generating the org), next edit ${secondEdit} ms, main thread's longest stall ${maxGap2.toFixed(0)} ms, ${gained} gained / ${lost} lost`);
  writeFileSync(join(shots, `large-${records}.json`), JSON.stringify({ records, diff_ms: diffMs, first_edit_ms: total, next_edit_ms: secondEdit, max_main_thread_gap_ms: maxGap2, long_tasks_ms: longTasks, gained, lost }));
  assert.ok(gained + lost > 0, 'a user move changes something');
  // The main thread's stalls are reported above and in large-*.json, not
  // asserted: a wall-clock bound fails on a loaded machine (issue 19).
  await page.screenshot({ path: join(shots, 'large-simulate.png') });
  assert.deepEqual(errors, []);
  await context.close();
});

test("the large org's users are found as the admin types, and their records come from the worker", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}?records=20000`);
  await page.getByTestId('nav-data').click();
  await page.getByTestId('load-large').click();
  await page.getByTestId('nav-who').click();
  // Ten thousand users: the field suggests the first twenty matches of what is typed, ids that start with it first.
  await page.getByTestId('who-user').pressSequentially('user_4');
  const suggested = page.locator('[data-testid="who-user-suggestions"] option');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="who-user-suggestions"] option').length === 20);
  assert.equal(await suggested.first().getAttribute('value'), 'user_4');
  const values = await suggested.evaluateAll((options) => options.map((o) => o.value));
  assert.ok(values.every((v) => v.startsWith('user_4')), values.join(' '));
  await page.getByTestId('who-user').fill('user_42');
  await page.getByTestId('who-user').dispatchEvent('change');
  await page.getByTestId('record-row').first().waitFor({ timeout: 120_000 });
  assert.ok((await page.getByTestId('record-row').count()) > 0);
  assert.match(await page.getByTestId('record-row').first().innerText(), /user_42/);
  // A million records: the record field asks the worker for the ids holding what is typed.
  const firstRecord = await page.getByTestId('record-row').first().getAttribute('data-key');
  await page.getByTestId('who-record').pressSequentially(firstRecord.slice(0, -1));
  await page.waitForFunction(
    (typed) => {
      const options = [...document.querySelectorAll('[data-testid="who-record-suggestions"] option')];
      return options.length > 0 && options.every((o) => o.value.includes(typed));
    },
    firstRecord.slice(0, -1),
  );
  await page.getByTestId('who-record').fill(firstRecord);
  await page.getByTestId('who-record').dispatchEvent('change');
  // user_42 may read it (it is one of their records): the decision, and the record's users, from the worker.
  await page.getByTestId('decision').waitFor({ timeout: 120_000 });
  assert.match(await page.getByTestId('decision').innerText(), /allowed/);
  assert.match(await page.getByTestId('record-users-count').innerText(), /^\d+ users may \(listed: the first, up to 1000\)$/);
  assert.ok((await page.getByTestId('user-row').count()) > 0);
  assert.match(page.url(), new RegExp(`record=${firstRecord}`));
  assert.deepEqual(errors, []);
  await context.close();
});

async function actAs(page, user) {
  await page.getByTestId('acting-user').fill(user);
  await page.getByTestId('acting-user').dispatchEvent('change');
}

test('change control: request, approve as another user, apply; versions and a verified audit log survive a reload; tampering shows broken', async () => {
  const { page, context, errors } = await fresh();
  await actAs(page, 'mgr_east_mike');
  await page.getByTestId('nav-simulate').click();
  await page.getByTestId('sim-user').selectOption('rep_east_bob');
  await page.getByTestId('sim-role').selectOption('sales_rep_west');
  await page.getByTestId('sim-stage').click();
  await page.getByTestId('staged-item').waitFor();
  await page.getByTestId('nav-requests').click();
  await page.getByTestId('request-propose').click();
  const request = page.locator('[data-testid="request"][data-request="R1"]');
  await request.waitFor();
  assert.equal(await request.getAttribute('data-state'), 'pending');
  await request.getByTestId('request-diff').filter({ hasText: '+4 / −6' }).waitFor(); // the request previews its diff
  // Only the steps a pending request allows; the author's Approve says why it is refused.
  assert.equal(await request.getByTestId('request-approve').getAttribute('data-refusal'), 'self_approval');
  assert.equal(await request.getByTestId('request-approve').isDisabled(), true);
  assert.equal(await request.getByTestId('request-apply').count(), 0, 'a pending request offers no Apply');
  await actAs(page, 'admin_ivy');
  assert.equal(await request.getByTestId('request-approve').isDisabled(), false, 'another approver may approve');
  await request.getByTestId('request-approve').click();
  await page.locator('[data-testid="request"][data-request="R1"][data-state="approved"]').waitFor();
  await request.getByTestId('request-apply').click();
  await page.locator('[data-testid="request"][data-request="R1"][data-state="applied"]').waitFor();
  // Applied, the row still shows what the change did (not +0 / −0 against the policy it changed).
  await request.getByTestId('request-diff').filter({ hasText: '+4 / −6' }).waitFor();
  // The request's own page, at its own address: the whole story.
  await request.getByTestId('request-link').click();
  const story = page.locator('[data-testid="request-page"][data-request="R1"][data-state="applied"]');
  await story.waitFor();
  assert.equal(new URL(page.url()).pathname, '/requests/R1');
  assert.match(await page.getByTestId('request-changes').innerText(), /rep_east_bob/);
  assert.deepEqual(await page.getByTestId('request-event').evaluateAll((els) => els.map((e) => e.dataset.action)).then((a) => a.slice(-2)), ['approved', 'applied']);
  assert.deepEqual(
    await page.getByTestId('request-audit').evaluateAll((els) => els.map((e) => e.dataset.action)),
    ['request_submitted', 'request_approved', 'version_created', 'request_applied'],
  );
  await page.getByTestId('request-change-row').first().waitFor();
  assert.equal(await page.getByTestId('request-change-row').count(), 10, 'the four gains and six losses, listed');
  assert.equal(await page.getByTestId('request-change-next').isDisabled(), true, 'one page: nothing after it');
  assert.equal(await page.getByTestId('request-review').isDisabled(), false, 'an applied request offers its review');
  assert.equal(await page.getByTestId('request-approve').count(), 0);
  await page.screenshot({ path: join(shots, 'request.png'), fullPage: true });
  // The review closes it: the comment joins its history, and no step is left.
  await page.getByTestId('request-step-comment').fill('checked with the EU team');
  await page.getByTestId('request-review').click();
  await page.locator('[data-testid="request-page"][data-request="R1"][data-state="reviewed"]').waitFor();
  await page.getByTestId('request-no-steps').waitFor();
  assert.equal(await page.locator('[data-testid="request-event"][data-action="reviewed"] [data-testid="request-event-comment"]').innerText(), 'checked with the EU team');
  assert.equal(await page.getByTestId('request-step-comment').count(), 0);
  await page.goBack();
  await request.waitFor();
  // A filtered list is an address too.
  await page.getByTestId('request-filter-state').selectOption('pending');
  await page.getByTestId('request-none').waitFor();
  assert.match(page.url(), /\/requests\?state=pending$/);
  await page.getByTestId('request-filter-state').selectOption('reviewed');
  await request.waitFor();
  await page.getByTestId('nav-simulate').click();
  assert.equal(await page.getByTestId('sim-apply').isDisabled(), true, 'with change control in use, edits go through requests');
  await page.getByTestId('nav-versions').click();
  assert.equal(await page.getByTestId('version').count(), 2);
  assert.deepEqual(await page.getByTestId('version').evaluateAll((els) => els.map((e) => e.dataset.seq)), ['2', '1']);
  await page.getByTestId('versions-a').selectOption('1');
  await page.getByTestId('versions-b').selectOption('2');
  assert.match(await page.getByTestId('versions-diff').innerText(), /\+4 \/ −6/);
  // The comparison is an address: `/versions/1..2`, which opens the same view; so does an older link by hashes.
  assert.match(page.url(), /\/versions\/1\.\.2$/);
  const hashes = await page.getByTestId('version').evaluateAll((els) => els.map((e) => e.dataset.version).reverse());
  await page.waitForTimeout(300); // let the IndexedDB write land before the page reloads
  for (const address of ['/versions/1..2', `/versions?from=${encodeURIComponent(hashes[0])}&to=${encodeURIComponent(hashes[1])}`]) {
    await page.goto(new URL(address, page.url()).href);
    assert.match(await page.getByTestId('versions-diff').innerText(), /\+4 \/ −6/, address);
    assert.equal(await page.getByTestId('versions-b').inputValue(), '2');
  }
  await page.getByTestId('nav-audit').click();
  await page.locator('[data-testid="audit-entry-row"][data-key="request_applied"]').waitFor();
  assert.equal(await page.getByTestId('audit-badge').getAttribute('data-state'), 'verified');
  await page.screenshot({ path: join(shots, 'audit.png'), fullPage: true });

  await page.waitForTimeout(300); // let the IndexedDB write land
  await page.reload();
  await page.getByTestId('nav-audit').click();
  await page.locator('[data-testid="audit-badge"][data-state="verified"]').waitFor();
  assert.ok((await page.getByTestId('audit-entry-row').count()) >= 5);
  // The moved user is the policy now: bob's record list follows the new version.
  await page.getByTestId('nav-versions').click();
  assert.equal(await page.getByTestId('version').count(), 2);

  // Tamper with the stored log: the badge turns broken.
  await page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('clearance', 1);
        open.onsuccess = () => {
          const store = open.result.transaction('state', 'readwrite').objectStore('state');
          const get = store.get('ledger');
          get.onsuccess = () => {
            const ledger = JSON.parse(get.result);
            ledger.audit[1].actor = 'mallory';
            store.put(JSON.stringify(ledger), 'ledger').onsuccess = () => resolve();
          };
        };
        open.onerror = reject;
      }),
  );
  await page.reload();
  await page.getByTestId('nav-audit').click();
  await page.locator('[data-testid="audit-badge"][data-state="broken"]').waitFor();
  assert.match(await page.getByTestId('audit-badge').innerText(), /\/audit\/1/);
  await page.screenshot({ path: join(shots, 'audit-broken.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('the change-control state moves between the CLI and the app in one JSON format; a bad import changes nothing', async () => {
  const dir = join(tmpdir(), `clearance-ledger-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const db = join(dir, 'state.db');
  const run = (...args) => execFileSync(cli, [...args, '--db', db], { cwd: root, encoding: 'utf8', env: { ...process.env, CLEARANCE_NOW: '2026-11-29T10:00:00Z' } });
  run('versions', 'init', 'examples/reference-org.json', '--as', 'admin_ivy');
  writeFileSync(join(dir, 'move.json'), JSON.stringify([{ op: 'move_user', user: 'rep_east_bob', role: 'sales_rep_west' }]));
  run('change', 'propose', join(dir, 'move.json'), '--as', 'mgr_east_mike');
  const exported = run('state', 'export');
  writeFileSync(join(dir, 'state.json'), exported);
  const bad = JSON.parse(exported);
  bad.audit[0].actor = 'mallory';
  writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));

  const { page, context, errors } = await fresh();
  // Importing a state needs an approver, as in the CLI.
  await actAs(page, 'rep_east_bob');
  await page.getByTestId('nav-data').click();
  await page.getByTestId('import-ledger').setInputFiles(join(dir, 'state.json'));
  await page.getByTestId('ledger-errors').waitFor();
  assert.match(await page.getByTestId('ledger-errors').innerText(), /not_an_approver|may not import/);
  await actAs(page, 'admin_ivy');
  await page.getByTestId('import-ledger').setInputFiles(join(dir, 'state.json'));
  await page.getByTestId('nav-requests').click();
  await page.locator('[data-testid="request"][data-request="R1"][data-state="pending"]').waitFor();
  await page.getByTestId('nav-data').click();
  await page.getByTestId('import-ledger').setInputFiles(join(dir, 'bad.json'));
  await page.getByTestId('ledger-errors').waitFor();
  assert.match(await page.getByTestId('ledger-errors').innerText(), /\/audit\/0/);
  await page.getByTestId('nav-requests').click();
  assert.equal(await page.locator('[data-testid="request"][data-request="R1"][data-state="pending"]').count(), 1, 'the bad import changed nothing');
  // The app's export is the CLI's format: the CLI imports it back.
  await page.getByTestId('nav-data').click();
  const href = await page.getByTestId('export-ledger').getAttribute('href');
  writeFileSync(join(dir, 'from-app.json'), decodeURIComponent(href.slice(href.indexOf(',') + 1)));
  execFileSync(cli, ['state', 'import', join(dir, 'from-app.json'), '--db', join(dir, 'again.db'), '--as', 'admin_ivy'], { cwd: root });
  // The same versions and requests; the log is the CLI's, then the app's import, then the CLI's.
  const again = JSON.parse(execFileSync(cli, ['state', 'export', '--db', join(dir, 'again.db')], { cwd: root, encoding: 'utf8' }));
  const original = JSON.parse(exported);
  assert.deepEqual([again.versions, again.requests], [original.versions, original.requests]);
  assert.deepEqual(again.audit.slice(0, original.audit.length), original.audit);
  assert.deepEqual(again.audit.slice(original.audit.length).map((e) => [e.action, e.actor]), [['state_imported', 'admin_ivy'], ['state_imported', 'admin_ivy']]);
  assert.deepEqual(errors, []);
  await context.close();
});

test('rules are added and removed, departments renamed, reviews start with a named reviewer', async () => {
  const { page, context, errors } = await fresh();
  await page.getByTestId('nav-permissions').click();
  // A form, not JSON: each mistake is shown at its field and the button waits until there is none.
  const form = page.getByTestId('new-rule-form');
  await form.getByTestId('new-rule-object').selectOption('Case');
  await form.getByTestId('new-rule-criteria').fill('record.nope == 1');
  await form.getByTestId('new-rule-share-id').fill('sales_director');
  const errorsShown = await form.getByTestId('new-rule-errors').innerText();
  assert.match(errorsShown, /\/id/, errorsShown);
  assert.match(errorsShown, /\/criteria.*nope/s, errorsShown);
  assert.equal(await form.getByTestId('new-rule-add').isDisabled(), true);
  await form.getByTestId('new-rule-id').fill('cases_to_directors');
  await form.getByTestId('new-rule-criteria').fill('record.priority == "high"');
  await form.getByTestId('new-rule-errors').waitFor({ state: 'detached' });
  await form.getByTestId('new-rule-add').click();
  await page.locator('[data-testid="rule"][data-rule="cases_to_directors"]').waitFor();
  // JSON stays available as the advanced way.
  await page.getByTestId('new-forbid-form').locator('xpath=following-sibling::details[1]/summary').click();
  await page.getByTestId('new-forbid').fill(JSON.stringify({ id: 'no_case_export', objects: ['Case'], actions: ['export'] }));
  await page.getByTestId('add-forbid').click();
  await page.locator('[data-testid="forbid"][data-rule="no_case_export"]').waitFor();
  await page.locator('[data-testid="forbid"]').first().getByTestId('forbid-remove').click();
  await page.getByTestId('nav-org').click();
  await page.locator('[data-testid="department"][data-department="it"] [data-testid="department-name"]').fill('Information Technology');
  await page.locator('[data-testid="department"][data-department="it"] [data-testid="department-name"]').press('Enter');
  await page.getByTestId('nav-simulate').click();
  const staged = await page.getByTestId('staged-item').allInnerTexts();
  assert.equal(staged.length, 4, staged.join('\n'));
  assert.match(staged[0], /add sharing rule cases_to_directors/);
  assert.match(staged[1], /add forbid rule no_case_export/);
  assert.doesNotMatch(staged.join('\n'), /`/, 'the names show as code, not between backticks');
  assert.match(staged[2], /remove forbid rule/);
  assert.match(staged[3], /rename department it to "Information Technology"/);
  await actAs(page, 'admin_ivy');
  await page.getByTestId('nav-reviews').click();
  await page.getByTestId('review-reviewer').fill('fin_mgr_fiona');
  await page.getByTestId('review-start').click();
  await page.getByTestId('review-item').first().waitFor();
  assert.match(await page.getByTestId('review-item').first().innerText(), /fin_mgr_fiona/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('activity: a log the CLI wrote is analysed as the CLI analyses it; a finding becomes a change request', async () => {
  const dir = join(tmpdir(), `clearance-activity-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const log = join(dir, 'month.jsonl');
  const month = execFileSync(cli, ['activity', 'generate', 'examples/reference-org.json', '--records', 'examples/reference-records.json'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  writeFileSync(log, `${month}{"broken": \n`);
  const expected = JSON.parse(execFileSync(cli, ['activity', 'analyze', log, '--policy', 'examples/reference-org.json', '--format', 'json'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 }));
  assert.ok(expected.findings.length >= 7);

  const { page, context, errors } = await fresh();
  await actAs(page, 'admin_ivy');
  await page.getByTestId('nav-activity').click();
  await page.getByTestId('activity-import').setInputFiles(log);
  await page.getByTestId('finding').first().waitFor();
  const shown = await page.getByTestId('finding').evaluateAll((els) => els.map((e) => [e.dataset.kind, e.dataset.user]));
  assert.deepEqual(shown, expected.findings.map((f) => [f.kind, f.user]), 'the app reports what the CLI reports');
  assert.equal(await page.getByTestId('activity-skipped').getAttribute('data-line'), String(expected.skipped[0].line));
  assert.equal(await page.getByTestId('timeline-day').count(), expected.timeline.length);
  assert.equal(await page.getByTestId('top-users').locator('tr').count(), expected.top_users.length);
  await page.screenshot({ path: join(shots, 'activity.png'), fullPage: true });

  const dormant = expected.findings.find((f) => f.kind === 'dormant_privilege' && f.changes[0].op === 'revoke_permission_set');
  const row = page.locator(`[data-testid="finding"][data-kind="dormant_privilege"][data-user="${dormant.user}"]`);
  await row.getByTestId('finding-react').click();
  assert.match(await page.getByTestId('activity-proposed').innerText(), /R1/);
  await page.getByTestId('nav-requests').click();
  const request = page.locator('[data-testid="request"][data-request="R1"][data-state="pending"]');
  await request.waitFor();
  assert.match(await request.innerText(), new RegExp(dormant.changes[0].permission_set));
  // The logs survive a reload (IndexedDB).
  await page.reload();
  await page.getByTestId('nav-activity').click();
  await page.getByTestId('finding').first().waitFor();
  assert.equal(await page.getByTestId('finding').count(), expected.findings.length);
  assert.deepEqual(errors, []);
  await context.close();
});
