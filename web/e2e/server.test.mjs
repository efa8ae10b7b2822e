// End to end: the built admin app served by a real `clearance-server`
// (SQLite, started here on the reference org), in Debian's Chromium driven
// by playwright-core. Two browser contexts are two admins: identity comes
// from each one's session, and the server judges every step.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { createHmac } from 'node:crypto';
import { chromium } from 'playwright-core';
import { audit } from './axe.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const shots = join(root, 'target/e2e');
const serverBin = process.env.CLEARANCE_SERVER_BIN ?? join(root, 'target/debug/clearance-server');
const cli = process.env.CLEARANCE_BIN ?? join(root, 'target/debug/clearance');
const PASSWORD = 'correct horse battery';
let server, browser, base, data;

/** `init` on `policy` with admins that share PASSWORD, then `serve` with the app: its data directory, process and URL. */
async function startServer(policy, name) {
  const dir = mkdtempSync(join(tmpdir(), 'clearance-e2e-server-'));
  const stateDir = join(dir, 'data');
  const password = join(dir, 'password');
  writeFileSync(password, `${PASSWORD}\n`);
  execFileSync(serverBin, ['init', '--data', stateDir, '--policy', policy, '--admin', 'admin_ivy', '--password-file', password]);
  for (const user of ['mgr_east_mike', 'fin_mgr_fiona', 'rep_east_alice']) {
    execFileSync(serverBin, ['password', '--data', stateDir, '--user', user, '--password-file', password]);
  }
  // Loopback is the trusted proxy: each browser context says where its admin is (the org's office ranges are 10.0.0.0/8).
  const child = spawn(serverBin, ['serve', '--data', stateDir, '--listen', '127.0.0.1:0', '--app', join(root, 'dist'), '--trusted-proxy', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', openSync(join(shots, `${name}.log`), 'w')],
  });
  const [line] = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next().then((r) => [r.value]);
  const url = line.replace(/^listening on /, '');
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  return { dir: stateDir, child, url };
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  const started = await startServer(join(root, 'examples/reference-org.json'), 'server');
  ({ dir: data, child: server, url: base } = started);
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
});
after(async () => {
  await browser?.close();
  server?.kill();
});

/** A browser context for an admin at `address`, on the app's sign-in page (of the server at `at`). */
async function admin(address = '10.0.0.7', at = base) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, extraHTTPHeaders: { 'x-forwarded-for': address } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(at);
  await page.getByTestId('page-sign-in').waitFor();
  return { page, context, errors };
}

async function signIn(page, user, password = PASSWORD) {
  await page.getByTestId('signin-user').fill(user);
  await page.getByTestId('signin-password').fill(password);
  await page.getByTestId('signin-submit').click();
}

/** RFC 6238 (SHA-1, six digits, 30 s steps): the code of `step` for a base32 `secret`, computed here as an authenticator app would. */
function totp(secret, step) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bits = [...secret.replace(/=+$/, '')].map((c) => alphabet.indexOf(c).toString(2).padStart(5, '0')).join('');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', key).update(counter).digest();
  const at = mac[19] & 15;
  return String((mac.readUInt32BE(at) & 0x7fffffff) % 1e6).padStart(6, '0');
}
const stepNow = () => Math.floor(Date.now() / 30000);
let lastStep = 0;
/** A code of a step not used before (the server takes each step once, one step of skew either side), waiting when needed. */
async function nextCode(secret) {
  for (;;) {
    const now = stepNow();
    // The step before now only while it stays inside the server's window for 5 s more.
    const earliest = Date.now() % 30000 < 25000 ? now - 1 : now;
    const step = Math.max(lastStep + 1, earliest);
    if (step <= now + 1) {
      lastStep = step;
      return totp(secret, step);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

const row = (page, id, state) => page.locator(`[data-testid="request"][data-request="${id}"]${state ? `[data-state="${state}"]` : ''}`);

test('served by the server, the app asks to sign in; two admins: one proposes, the other approves and applies, the first cannot approve its own', async () => {
  const mike = await admin();
  assert.equal(await mike.page.getByTestId('acting-user').count(), 0, 'no "acting as" on a server');
  assert.equal(await mike.page.getByTestId('sandbox-badge').count(), 0);
  await signIn(mike.page, 'mgr_east_mike');
  assert.match(await mike.page.getByTestId('signed-in-as').innerText(), /mgr_east_mike/);
  assert.equal(await mike.page.getByTestId('acting-user').count(), 0);
  await mike.page.getByTestId('nav-simulate').click();
  await mike.page.getByTestId('sim-user').selectOption('rep_east_bob');
  await mike.page.getByTestId('sim-role').selectOption('sales_rep_west');
  await mike.page.getByTestId('sim-stage').click();
  await mike.page.getByTestId('staged-item').waitFor();
  await mike.page.getByTestId('nav-requests').click();
  await mike.page.getByTestId('request-comment').fill('bob moves west');
  await mike.page.getByTestId('request-propose').click();
  const mine = row(mike.page, 'R1', 'pending');
  await mine.waitFor();
  assert.match(await mine.innerText(), /mgr_east_mike/, 'the author is the signed-in admin');
  const approve = mine.getByTestId('request-approve');
  assert.equal(await approve.isDisabled(), true, 'the author cannot approve: the button says so');
  assert.equal(await approve.getAttribute('data-refusal'), 'self_approval');
  assert.equal(await approve.getAttribute('title'), 'You cannot approve a request you proposed.');
  assert.equal(await mine.getByTestId('request-apply').count(), 0, 'a pending request offers no Apply');
  // The button is a courtesy: the server judges. The same step sent by hand is refused.
  const forced = await mike.page.evaluate(async () => {
    const { csrf } = await (await fetch('/v1/session')).json();
    const headers = { 'content-type': 'application/json', 'x-csrf-token': csrf };
    const answer = await fetch('/v1/requests/R1/approve', { method: 'POST', headers, body: '{}' });
    return [answer.status, (await answer.json()).code];
  });
  assert.deepEqual(forced, [403, 'self_approval']);
  // The session cookie alone (what a forged cross-site form would carry) changes nothing: the CSRF header is required.
  const forged = await mike.page.evaluate(async () => {
    const answer = await fetch('/v1/requests', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ changes: [], comment: 'forged' }) });
    return [answer.status, (await answer.json()).code];
  });
  assert.deepEqual(forged, [403, 'csrf_refused']);
  await mike.page.screenshot({ path: join(shots, 'server-self-approval.png'), fullPage: true });

  const fiona = await admin();
  await signIn(fiona.page, 'fin_mgr_fiona');
  await fiona.page.getByTestId('signed-in-as').waitFor();
  await fiona.page.getByTestId('nav-requests').click();
  const theirs = row(fiona.page, 'R1', 'pending');
  await theirs.waitFor();
  assert.equal(await theirs.getByTestId('request-approve').isDisabled(), false);
  await theirs.getByTestId('request-approve').click();
  await row(fiona.page, 'R1', 'approved').waitFor();
  await row(fiona.page, 'R1').getByTestId('request-apply').click();
  await row(fiona.page, 'R1', 'applied').waitFor();

  // Mike sees it applied, and the policy every page shows is the server's new version.
  await mike.page.reload();
  await mike.page.getByTestId('signed-in-as').waitFor();
  await mike.page.getByTestId('nav-requests').click();
  await row(mike.page, 'R1', 'applied').waitFor();
  // The request's page, opened from its address: the comment given at proposal, every step, its audit entries.
  // Until the server's list is read, the page says it is loading — never that there is no such request.
  await mike.page.addInitScript(() => {
    window.unknownShown = false;
    const watch = () => document.querySelector('[data-testid="request-unknown"]') && (window.unknownShown = true);
    document.addEventListener('DOMContentLoaded', () => new MutationObserver(watch).observe(document.body, { childList: true, subtree: true }));
  });
  await mike.page.goto(new URL('/requests/R1', mike.page.url()).href);
  await mike.page.locator('[data-testid="request-page"][data-request="R1"][data-state="applied"]').waitFor();
  assert.equal(await mike.page.evaluate(() => window.unknownShown), false, 'no "there is no change request" while the list loads');
  assert.equal(await mike.page.locator('[data-testid="request-event"][data-action="drafted"] [data-testid="request-event-comment"]').innerText(), 'bob moves west');
  assert.equal(await mike.page.getByTestId('request-author').innerText(), 'mgr_east_mike');
  await mike.page.locator('[data-testid="request-audit"][data-action="request_applied"]').waitFor();
  assert.deepEqual(
    await mike.page.getByTestId('request-audit').evaluateAll((els) => els.map((e) => e.dataset.action)),
    ['request_submitted', 'refused', 'request_approved', 'version_created', 'request_applied'],
    'the self-approval sent by hand is part of the story',
  );
  await mike.page.getByTestId('request-diff').filter({ hasText: /^\+[1-9]\d* \/ −\d+$/ }).waitFor();
  assert.equal(await mike.page.getByTestId('request-review').getAttribute('data-refusal'), 'not_an_approver', 'mike may not review: the page says why');
  await mike.page.getByTestId('request-step-why').filter({ hasText: /./ }).first().waitFor();
  await mike.page.screenshot({ path: join(shots, 'server-request.png'), fullPage: true });
  await mike.page.getByTestId('nav-who').click();
  await mike.page.getByTestId('who-user').selectOption('rep_east_bob');
  await mike.page.getByTestId('record-row').first().waitFor();
  const shown = (await mike.page.getByTestId('record-row').evaluateAll((els) => els.map((e) => e.dataset.key))).filter((id) => id.startsWith('acc_'));
  const moved = ['filter', 'tests/orgs/reference-bob-moved.json', '--records', 'examples/reference-records.json', '--user', 'rep_east_bob', '--action', 'read', '--object', 'Account'];
  const expected = JSON.parse(execFileSync(cli, moved, { cwd: root, encoding: 'utf8' }));
  assert.deepEqual([...shown].sort(), [...expected].sort(), 'bob reads what the applied version grants (the CLI on the moved org)');
  // Restoring the first version is itself a change request, which its proposer cannot approve.
  await fiona.page.getByTestId('nav-versions').click();
  await fiona.page.locator('[data-testid="version"]').nth(1).waitFor();
  assert.equal(await fiona.page.getByTestId('version').count(), 2);
  // Who gains and loses what between the two server versions: what the CLI's diff says of the same move.
  const [newer, older] = await fiona.page.getByTestId('version').evaluateAll((els) => els.map((e) => e.dataset.seq));
  await fiona.page.getByTestId('versions-a').selectOption(older);
  await fiona.page.getByTestId('versions-b').selectOption(newer);
  assert.ok(fiona.page.url().endsWith(`/versions/${older}..${newer}`), fiona.page.url());
  const cliDiff = JSON.parse(execFileSync(cli, ['diff', 'examples/reference-org.json', 'tests/orgs/reference-bob-moved.json', '--records', 'examples/reference-records.json'], { cwd: root, encoding: 'utf8' }));
  const { gained, lost } = cliDiff.summary.total;
  assert.ok(gained + lost > 0);
  await fiona.page.getByTestId('versions-diff').filter({ hasText: `+${gained} / −${lost}` }).waitFor();
  await fiona.page.getByTestId('version-restore').last().click();
  await fiona.page.getByTestId('nav-requests').click();
  const restore = row(fiona.page, 'R2', 'pending');
  await restore.waitFor();
  assert.equal(await restore.getByTestId('request-approve').getAttribute('data-refusal'), 'self_approval');
  for (const who of [mike, fiona]) {
    assert.deepEqual(who.errors, []);
    await who.context.close();
  }
});

test("the server's own pages pass axe-core's WCAG 2.2 A/AA rules too: sign-in, and a signed-in admin's pages, in English and 中文", async () => {
  const { page, context, errors } = await admin();
  const found = await audit(page, 'sign-in');
  await page.getByTestId('lang-switch').click();
  await page.getByTestId('title').filter({ hasText: '管理后台' }).waitFor();
  found.push(...(await audit(page, 'sign-in (zh)')));
  await page.getByTestId('lang-switch').click();
  await signIn(page, 'mgr_east_mike');
  await page.getByTestId('signed-in-as').waitFor();
  for (const lang of ['en', 'zh']) {
    if (lang === 'zh') await page.getByTestId('lang-switch').click();
    for (const address of ['requests', 'versions', 'audit', 'reviews', 'activity', 'account', 'fleet']) {
      await page.goto(new URL(`/${address}`, base).href);
      await page.getByTestId('signed-in-as').waitFor();
      found.push(...(await audit(page, `/${address} (${lang})`)));
    }
  }
  assert.deepEqual(found, [], found.join('\n'));
  assert.deepEqual(errors, []);
  await context.close();
});

test('a wrong password is refused with its reason and the fifth locks the account; signing out ends the session; 中文 throughout', async () => {
  const { page, context, errors } = await admin('10.0.0.8');
  await page.getByTestId('lang-switch').click();
  assert.equal(await page.getByTestId('signin-submit').innerText(), '登录');
  for (let i = 1; i <= 4; i++) {
    await signIn(page, 'rep_east_alice', 'not the password');
    await page.locator('[data-testid="problem"][data-code="bad_credentials"]').waitFor();
    assert.match(await page.getByTestId('problem-reason').innerText(), /用户 ID 或密码错误/);
  }
  await signIn(page, 'rep_east_alice', 'not the password');
  await page.locator('[data-testid="problem"][data-code="locked_out"]').waitFor();
  assert.match(await page.getByTestId('problem-reason').innerText(), /已被锁定/);
  await signIn(page, 'rep_east_alice');
  await page.locator('[data-testid="problem"][data-code="locked_out"]').waitFor();
  assert.equal(await page.getByTestId('signed-in-as').count(), 0, 'the right password does not open a locked account');
  await page.screenshot({ path: join(shots, 'server-locked-zh.png'), fullPage: true });

  // Another admin signs in and out: the cookie's session is ended on the server, so a reload asks again.
  await signIn(page, 'mgr_east_mike');
  await page.getByTestId('signed-in-as').waitFor();
  assert.match(await page.getByTestId('signed-in-as').innerText(), /已登录/);
  await page.getByTestId('sign-out').click();
  await page.getByTestId('page-sign-in').waitFor();
  await page.reload();
  await page.getByTestId('page-sign-in').waitFor();
  const whoami = await page.evaluate(async () => (await fetch('/v1/session')).status);
  assert.equal(whoami, 401, 'the session is gone on the server');
  assert.deepEqual(errors, []);
  await context.close();
});

test('an admin whose policy requires MFA enrolls with the QR code page, gets recovery codes once, then signs in with a TOTP; a password change follows the policy\'s rules', async () => {
  const { page, context, errors } = await admin('10.0.0.9');
  await signIn(page, 'admin_ivy');
  await page.getByTestId('page-enroll').waitFor();
  assert.equal(await page.getByTestId('nav-requests').count(), 1);
  assert.equal(await page.getByTestId('page-requests').count(), 0, 'nothing else until a second factor is enrolled');
  const qr = page.getByTestId('mfa-qr');
  await qr.waitFor();
  assert.equal(await qr.getAttribute('role'), 'img');
  assert.ok((await qr.locator('path').getAttribute('d')).length > 1000, 'the code is drawn');
  await page.screenshot({ path: join(shots, 'server-mfa-qr.png'), fullPage: true });
  const secret = (await page.getByTestId('mfa-secret').innerText()).trim();
  assert.match(secret, /^[A-Z2-7]+=*$/);
  await page.getByTestId('mfa-code').fill('000000' === totp(secret, stepNow()) ? '111111' : '000000');
  await page.getByTestId('mfa-confirm').click();
  await page.locator('[data-testid="problem"]').first().waitFor();
  await page.getByTestId('mfa-code').fill(await nextCode(secret));
  await page.getByTestId('mfa-confirm').click();
  await page.getByTestId('recovery-codes').waitFor();
  const recovery = await page.getByTestId('recovery-code').allInnerTexts();
  assert.ok(recovery.length >= 8 && new Set(recovery).size === recovery.length, recovery.join());
  await page.screenshot({ path: join(shots, 'server-mfa-enrolled.png'), fullPage: true });
  await page.getByTestId('mfa-done').click();
  await page.getByTestId('nav-requests').click();
  await page.getByTestId('page-requests').waitFor();

  // Signed out, the password alone is not enough: the page asks for the code.
  await page.getByTestId('sign-out').click();
  await signIn(page, 'admin_ivy');
  await page.locator('[data-testid="problem"][data-code="mfa_code_required"]').waitFor();
  await page.getByTestId('signin-code').fill(await nextCode(secret));
  await page.getByTestId('signin-submit').click();
  await page.getByTestId('signed-in-as').waitFor();
  assert.equal(await page.getByTestId('page-enroll').count(), 0);

  // The password page lists the policy's rules; a weak password is refused with each rule it breaks.
  await page.getByTestId('nav-account').click();
  const rules = await page.getByTestId('password-rules').locator('li').allInnerTexts();
  assert.deepEqual(rules, ['at least 12 characters', 'does not contain your user id', 'not one of your last 5 passwords', 'not on the list of common passwords']);
  const change = async (current, code, next) => {
    await page.getByTestId('password-current').fill(current);
    await page.getByTestId('password-code').fill(code);
    await page.getByTestId('password-new').fill(next);
    await page.getByTestId('password-again').fill(next);
    await page.getByTestId('password-submit').click();
  };
  await change(PASSWORD, await nextCode(secret), 'admin_ivy');
  await page.locator('[data-testid="problem"][data-code="weak_password"]').first().waitFor();
  const broken = await page.locator('[data-testid="problem"][data-code="weak_password"]').allInnerTexts();
  assert.ok(broken.some((p) => /at least 12 characters/.test(p)) && broken.some((p) => /user id/.test(p)), broken.join('\n'));
  await page.getByTestId('lang-switch').click();
  assert.equal(await page.getByTestId('password-rules').locator('li').first().innerText(), '至少 12 个字符');
  assert.match(await page.getByTestId('problem-reason').first().innerText(), /新密码不符合策略的规则/);
  await page.getByTestId('lang-switch').click();
  // The code of a step already used is refused; a fresh one changes the password.
  await change(PASSWORD, totp(secret, lastStep), 'a much longer passphrase here');
  await page.locator('[data-testid="problem"][data-code="bad_credentials"]').waitFor();
  assert.equal(await page.getByTestId('password-changed').count(), 0);
  await change(PASSWORD, await nextCode(secret), 'a much longer passphrase here');
  await page.getByTestId('password-changed').waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});


test('an edge token made on My account runs a Node watcher; the fleet page lists its revision, how far behind, and where from', async () => {
  const { page, context, errors } = await admin('10.0.0.10');
  await signIn(page, 'mgr_east_mike');
  await page.getByTestId('signed-in-as').waitFor();
  // On a server, Import / export offers no sandbox history and no sample orgs: the server's history is its own.
  await page.getByTestId('nav-data').click();
  await page.getByTestId('server-history').waitFor();
  assert.deepEqual(await Promise.all(['import-ledger', 'export-ledger', 'load-demo', 'load-large'].map((id) => page.getByTestId(id).count())), [0, 0, 0, 0]);
  await page.getByTestId('nav-fleet').click();
  await page.getByTestId('page-fleet').waitFor();
  assert.equal(await page.getByTestId('edge').count(), 0);
  await page.getByTestId('nav-account').click();
  await page.getByTestId('token-name').fill('node-edge');
  await page.getByTestId('token-scope').selectOption('edge');
  await page.getByTestId('token-create').click();
  const secret = (await page.getByTestId('token-secret').innerText()).trim();
  await page.locator('[data-testid="token"][data-revoked="false"]').waitFor();

  const { Watcher } = await import(pathToFileURL(join(root, 'wasm/pkg/node.mjs')).href);
  const keys = readFileSync(join(data, 'bundle.key.pub'), 'utf8').trim();
  const records = readFileSync(join(root, 'examples/reference-records.json'), 'utf8');
  const watcher = new Watcher({ url: base, token: secret, keys, records, wait: 1, events: true });
  try {
    const revision = await watcher.start();
    await page.getByTestId('nav-fleet').click();
    // The edge's first fetch reports no revision (it runs none yet); the revision it
    // loaded is reported by its next long poll, so refresh until that one is listed.
    const edge = page.locator('[data-testid="edge"][data-edge="node-edge"]');
    await edge.waitFor();
    for (let tries = 0; tries < 40 && (await edge.getAttribute('data-revision')) === '—'; tries += 1) {
      await new Promise((done) => setTimeout(done, 250));
      await page.getByTestId('fleet-refresh').click();
    }
    const current = Number((await page.getByTestId('fleet-current').innerText()).match(/\d+/)[0]);
    assert.equal(revision, current, 'the watcher runs the newest revision');
    assert.deepEqual([await edge.getAttribute('data-revision'), await edge.getAttribute('data-behind')], [String(revision), '0']);
    assert.match(await edge.innerText(), /mgr_east_mike/);
    await page.getByTestId('lang-switch').click();
    assert.equal(await page.locator('th').first().innerText(), '节点');
    await page.screenshot({ path: join(shots, 'server-fleet-zh.png'), fullPage: true });
    await page.getByTestId('lang-switch').click();
    // The edge's decisions flow back; the Activity page analyzes the fleet's logs on the server.
    const requests = ['acc_eu_1', 'acc_us_1', 'acc_apac_1'].map((recordId) => ({ user: 'rep_east_bob', action: 'read', object: 'Account', recordId }));
    const decided = requests.map((request) => watcher.check(request));
    assert.equal(await watcher.flushEvents(), requests.length, 'the server took every decision');
    await page.getByTestId('nav-activity').click();
    assert.equal(await page.getByTestId('activity-import').count(), 0, 'on a server the page is the fleet\'s, not a file\'s');
    await page.getByTestId('activity-fleet').click();
    await page.getByTestId('activity-summary').filter({ hasText: `${requests.length} events` }).waitFor();
    const denied = decided.filter((d) => !d.allowed).length;
    const bars = await page.getByTestId('timeline-day').evaluateAll((els) => els.map((e) => Number(e.dataset.events)));
    assert.deepEqual(bars, [requests.length], 'one day of the edge\'s events');
    assert.match(await page.getByTestId('top-users').innerText(), new RegExp(`rep_east_bob\\s+${requests.length}\\s+${denied}`));
  } finally {
    watcher.free();
  }
  // Revoked on My account, the token fetches nothing more.
  await page.getByTestId('nav-account').click();
  await page.getByTestId('token-revoke').click();
  await page.locator('[data-testid="token"][data-revoked="true"]').waitFor();
  const refused = await fetch(`${base}/v1/bundles/current`, { headers: { authorization: `Bearer ${secret}` } });
  assert.equal(refused.status, 401);
  assert.deepEqual(errors, []);
  await context.close();
});

test('signing out everywhere on one browser ends the other: its next step finds the session gone and says so', async () => {
  const first = await admin('10.0.0.11');
  await signIn(first.page, 'mgr_east_mike');
  await first.page.getByTestId('signed-in-as').waitFor();
  await first.page.getByTestId('nav-requests').click();
  const second = await admin('10.0.0.11');
  await signIn(second.page, 'mgr_east_mike');
  await second.page.getByTestId('nav-account').click();
  await second.page.getByTestId('sign-out-everywhere').click();
  await second.page.getByTestId('page-sign-in').waitFor();
  // The first browser still shows its page; its next call meets the ended session.
  await first.page.getByTestId('request-propose').click();
  await first.page.getByTestId('signed-out-notice').waitFor();
  await first.page.getByTestId('page-sign-in').waitFor();
  for (const who of [first, second]) {
    assert.deepEqual(who.errors, []);
    await who.context.close();
  }
});

test('the audit page verifies the server\'s log against its signed checkpoint, and a tail dropped from the database is caught by the checkpoint this browser kept', async () => {
  const { page, context, errors } = await admin('10.0.0.12');
  await signIn(page, 'mgr_east_mike');
  await page.getByTestId('signed-in-as').waitFor();
  await page.getByTestId('nav-audit').click();
  await page.locator('[data-testid="audit-badge"][data-state="verified"]').waitFor();
  const seq = Number(await page.getByTestId('audit-checkpoint').getAttribute('data-seq'));
  assert.equal(Number(await page.getByTestId('audit-entry-row').first().locator('td').first().innerText()), seq, 'the checkpoint names the newest entry');
  assert.match(await page.getByTestId('audit-entry-status').innerText(), new RegExp(`/ ${seq} `), 'every entry is listed, a page at a time');
  // Someone with write access to the database, not to the signing key, drops the last two entries.
  execFileSync('sqlite3', [join(data, 'state.db'), `DELETE FROM audit WHERE seq > ${seq - 2}`]);
  await page.reload();
  await page.getByTestId('signed-in-as').waitFor();
  await page.getByTestId('nav-audit').click();
  const broken = page.locator('[data-testid="audit-badge"][data-state="broken"]');
  await broken.waitFor();
  assert.match(await broken.innerText(), /does not end at the recorded head/, 'the recorded head still names the dropped entry');
  // A careful intruder moves the recorded head too: the chain is whole again, and the server signs its new head.
  const head = "(SELECT json_extract(body, '$.hash') FROM audit ORDER BY seq DESC LIMIT 1)";
  execFileSync('sqlite3', [join(data, 'state.db'), `UPDATE meta SET value = ${head} WHERE key = 'audit_head'`]);
  await page.reload();
  await page.getByTestId('signed-in-as').waitFor();
  await page.getByTestId('nav-audit').click();
  await broken.waitFor();
  assert.match(await broken.innerText(), /tail was deleted/, 'the checkpoint kept from the last visit names an entry the log lost');
  await page.screenshot({ path: join(shots, 'server-audit-broken.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('an org whose policy ends idle sessions after a minute: the page left alone that long finds itself signed out, and says why', async () => {
  const policy = JSON.parse(readFileSync(join(root, 'examples/reference-org.json'), 'utf8'));
  policy.sign_in = { session: { idle_minutes: 1 } };
  const file = join(mkdtempSync(join(tmpdir(), 'clearance-e2e-idle-')), 'policy.json');
  writeFileSync(file, JSON.stringify(policy));
  const idle = await startServer(file, 'server-idle');
  try {
    const { page, context, errors } = await admin('10.0.0.13', idle.url);
    await signIn(page, 'mgr_east_mike');
    await page.getByTestId('signed-in-as').waitFor();
    await page.getByTestId('nav-requests').click();
    await new Promise((resolve) => setTimeout(resolve, 63_000));
    await page.getByTestId('request-propose').click();
    const notice = page.getByTestId('signed-out-notice');
    await notice.waitFor();
    assert.match(await notice.innerText(), /idle for more than 1 minute/);
    await page.getByTestId('page-sign-in').waitFor();
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    idle.child.kill();
  }
});

test('access reviews on the server: one admin starts a campaign naming another; only the reviewer decides, only its owner closes it, and its revocations become a change request', async () => {
  const mike = await admin();
  await signIn(mike.page, 'mgr_east_mike');
  await mike.page.getByTestId('signed-in-as').waitFor();
  await mike.page.getByTestId('nav-reviews').click();
  await mike.page.getByTestId('review-reviewer').fill('fin_mgr_fiona');
  await mike.page.getByTestId('review-start').click();
  const campaign = mike.page.getByTestId('campaign').first();
  await campaign.waitFor();
  const id = await campaign.getAttribute('data-campaign');
  const revoke = campaign.getByTestId('review-item').first().getByTestId('review-revoke');
  assert.equal(await revoke.isDisabled(), true, 'mike is not the reviewer: the button says so');
  assert.equal(await revoke.getAttribute('data-refusal'), 'not_the_reviewer');
  assert.equal(await revoke.getAttribute('title'), 'This item is for another reviewer.');
  assert.equal(await campaign.getByTestId('review-close').isDisabled(), false, 'mike started it: he may close it');

  const fiona = await admin();
  await signIn(fiona.page, 'fin_mgr_fiona');
  await fiona.page.getByTestId('signed-in-as').waitFor();
  await fiona.page.getByTestId('nav-reviews').click();
  const hers = fiona.page.locator(`[data-testid="campaign"][data-campaign="${id}"]`);
  await hers.waitFor();
  assert.equal(await hers.getByTestId('review-close').getAttribute('data-refusal'), 'not_the_owner');
  const item = hers.getByTestId('review-item').first();
  const user = await item.getAttribute('data-user');
  await item.getByTestId('review-revoke').click();
  await item.getByTestId('review-verdict').filter({ hasText: 'Revoke' }).waitFor();
  // The button is a courtesy: the server judges. Closing sent by hand as the reviewer is refused.
  const forced = await fiona.page.evaluate(async (campaignId) => {
    const { csrf } = await (await fetch('/v1/session')).json();
    const headers = { 'content-type': 'application/json', 'x-csrf-token': csrf };
    const answer = await fetch(`/v1/reviews/${campaignId}/close`, { method: 'POST', headers, body: '{}' });
    return [answer.status, (await answer.json()).code];
  }, id);
  assert.deepEqual(forced, [403, 'not_the_owner']);

  // Mike reads the campaign again (another page, then back), sees the verdict, and closes it.
  await mike.page.getByTestId('nav-requests').click();
  const before = await mike.page.getByTestId('request').count();
  await mike.page.getByTestId('nav-reviews').click();
  const closing = mike.page.locator(`[data-testid="campaign"][data-campaign="${id}"]`);
  await closing.getByTestId('review-item').first().getByTestId('review-verdict').filter({ hasText: 'Revoke' }).waitFor();
  await closing.getByTestId('review-close').click();
  await mike.page.locator(`[data-testid="campaign"][data-campaign="${id}"][data-closed="true"]`).waitFor();
  assert.equal(await mike.page.locator(`[data-testid="campaign"][data-campaign="${id}"]`).getByTestId('review-close').getAttribute('data-refusal'), 'bad_item', 'closed once');
  await mike.page.getByTestId('nav-requests').click();
  await mike.page.locator('[data-testid="request"]').nth(before).waitFor();
  const newest = mike.page.getByTestId('request').first();
  assert.equal(await newest.getAttribute('data-state'), 'pending');
  assert.match(await newest.innerText(), new RegExp(`mgr_east_mike[\\s\\S]*${user}`), 'proposed by the closer, revoking the reviewed user\'s access');
  await mike.page.screenshot({ path: join(shots, 'server-review-closed.png'), fullPage: true });
  for (const who of [mike, fiona]) {
    assert.deepEqual(who.errors, []);
    await who.context.close();
  }
});

test('on a server, an imported policy is staged as one edit replacing the server\'s and proposed like any other; the server\'s version stays until it is applied', async () => {
  const mike = await admin();
  await signIn(mike.page, 'mgr_east_mike');
  await mike.page.getByTestId('signed-in-as').waitFor();
  const current = () => mike.page.evaluate(async () => (await (await fetch('/v1/versions/current')).json()).hash);
  const before = await current();
  await mike.page.getByTestId('nav-data').click();
  await mike.page.getByTestId('import-file').setInputFiles(join(root, 'examples/reference-org.json'));
  await mike.page.getByTestId('import-ok').waitFor();
  await mike.page.getByTestId('nav-requests').click();
  const requests = await mike.page.getByTestId('request').count();
  assert.match(await mike.page.locator('.hint').first().innerText(), /^1 /, 'one edit staged: the replacement');
  await mike.page.getByTestId('request-comment').fill('back to the reference org, from a file');
  await mike.page.getByTestId('request-propose').click();
  await mike.page.locator('[data-testid="request"]').nth(requests).waitFor();
  const newest = mike.page.getByTestId('request').first();
  assert.equal(await newest.getAttribute('data-state'), 'pending');
  assert.match(await newest.innerText(), /mgr_east_mike/);
  assert.equal(await current(), before, 'importing changed nothing on the server');
  assert.match(await mike.page.locator('.hint').first().innerText(), /^0 /, 'the staged edit became the request');
  assert.deepEqual(mike.errors, []);
  await mike.context.close();
});
