// Browser checks of the playground, run by api/tests/integration/playground_browser.rs:
// headless Chromium (Debian's `chromium`) driven by playwright-core.
//
//   BASE_URL=http://127.0.0.1:8080 CHROMIUM=/usr/bin/chromium node browser.mjs subscription|expiry
//
// subscription: the first view has no red marks and shows the demo users; Login from the
//   page saves the token; the subscription tab runs; a change made by another client
//   appears on the page.
// expiry: after Login the token expires (the server runs with a 60 s TTL); the bar says so
//   or renews it; Login from the page works again (the expired token is not sent with it).
//
// Prints one line per step; exits 1 with the reason on the first failure.
import { chromium } from 'playwright-core';

const base = process.env.BASE_URL;
const scenario = process.argv[2];
const step = (s) => console.log(`ok: ${s}`);
const fail = (s) => {
  console.error(`FAILED: ${s}`);
  process.exit(1);
};

async function graphql(query, variables, token) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  return res.json();
}

async function run(page) {
  await page.click('.graphiql-execute-button');
}

async function responseText(page) {
  return page.evaluate(() => {
    const el = document.querySelector('.graphiql-response');
    return el ? el.innerText : '';
  });
}

async function waitFor(what, predicate, ms) {
  const until = Date.now() + ms;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > until) {
      if (what.startsWith('the business')) return false;
      fail(`${what} within ${ms} ms`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function statusText(page) {
  return page.textContent('#token-status');
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}/playground`);
  await page.waitForSelector('.graphiql-query-editor .CodeMirror');
  // Give GraphiQL time to load the schema and lint the editor.
  await page.waitForTimeout(1500);
  const marks = await page.locator('.graphiql-query-editor .CodeMirror-lint-mark').count();
  if (marks !== 0) {
    const marked = await page.locator('.graphiql-query-editor .CodeMirror-lint-mark').allInnerTexts();
    fail(`${marks} lint marks on the first view: ${JSON.stringify(marked)}`);
  }
  step('no red marks on the first view');
  const editor = await page.locator('.graphiql-query-editor').innerText();
  if (!editor.includes('olivia.hart@demo.test')) fail('the demo users are not shown');
  step('the demo users are shown');

  await run(page);
  await waitFor('the login token saved', async () => /saved|token set/.test(await statusText(page)), 10000);
  const token = await page.evaluate(() => localStorage.getItem('erp.playground.token'));
  if (!token) fail('no token in the bar');
  step('Login from the page saved the token');

  if (scenario === 'subscription') {
    const tabs = page.locator('.graphiql-tab');
    if ((await tabs.count()) < 3) fail('the sample tabs are missing');
    await tabs.nth(2).click();
    await page.waitForTimeout(500);
    await run(page);
    await page.waitForTimeout(1500);
    // A change from outside the page: another client signs in and edits a deal.
    const login = await graphql(
      'mutation { login(input: { tenant: "demo", email: "lucas.meyer@demo.test", password: "demo-password-123" }) { accessToken } }',
    );
    const other = login.data.login.accessToken;
    // The subscription starts when GraphiQL has opened its socket, which a busy machine
    // delays: change the deal again every few seconds until the page shows the event.
    const list = await graphql('{ opportunities(first: 1, filter: { status: [OPEN] }) { nodes { id } } }', {}, other);
    const dealId = list.data.opportunities.nodes[0].id;
    let shown = false;
    for (let attempt = 0; attempt < 10 && !shown; attempt++) {
      const now = await graphql('query($id: ID!) { opportunity(id: $id) { version } }', { id: dealId }, other);
      const changed = await graphql(
        'mutation($id: ID!, $v: Int!, $t: String!) { updateOpportunity(id: $id, input: { expectedVersion: $v, title: $t }) { id } }',
        { id: dealId, v: now.data.opportunity.version, t: `Changed from outside ${attempt}` },
        other,
      );
      if (changed.errors) fail(`outside change: ${JSON.stringify(changed.errors)}`);
      const until = Date.now() + 3000;
      while (!shown && Date.now() < until) {
        shown = (await responseText(page)).includes(dealId);
        if (!shown) await new Promise((r) => setTimeout(r, 200));
      }
    }
    if (!shown) fail(`the event on the page; it shows ${await responseText(page)}`);
    step('the event of a change made elsewhere appeared on the page');
  } else if (scenario === 'expiry') {
    const exp = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).exp * 1000;
    await page.waitForTimeout(Math.max(0, exp - Date.now() + 1000));
    // With its refresh token: the next request renews the token first.
    await page.locator('.graphiql-tab').nth(1).click();
    await page.waitForTimeout(500);
    await run(page);
    await waitFor('the business query answered', async () => (await responseText(page)).includes('totalCount'), 10000)
      .catch(() => {});
    if (!(await responseText(page)).includes('totalCount')) {
      fail(`the business query answered ${await responseText(page)}; the bar says ${await statusText(page)}`);
    }
    if (!/renewed/.test(await statusText(page))) fail(`the bar says ${await statusText(page)}`);
    step('an expired token was renewed with the refresh token');
    // Without one: the bar says it expired, and Login from the page works.
    await page.evaluate((old) => {
      localStorage.setItem('erp.playground.token', old);
      localStorage.removeItem('erp.playground.refresh');
    }, token);
    await page.reload();
    await page.waitForSelector('.graphiql-query-editor .CodeMirror');
    await waitFor('the bar saying the token expired', async () => /expired/.test(await statusText(page)), 10000);
    step('the bar says the token expired');
    // The Login tab is the first: log in again from the page.
    await page.locator('.graphiql-tab').nth(0).click();
    await page.waitForTimeout(500);
    await run(page);
    await waitFor('a new token', async () => {
      const now = await page.evaluate(() => localStorage.getItem('erp.playground.token'));
      return now && now !== token;
    }, 10000);
    const text = await responseText(page);
    if (!text.includes('accessToken')) fail(`login answered ${text}`);
    step('Login from the page worked with the expired token saved');
  } else {
    fail(`unknown scenario ${scenario}`);
  }
  if (errors.length) fail(`page errors: ${errors.join('; ')}`);
} finally {
  await browser.close();
}
