import { mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, seriousAxeViolations } from '../helpers/browser';
import { DEV_COMPONENTS, kcvOf, xorHex } from '../helpers/key-material';
import { startService, type TestService } from '../helpers/key-service-app';
import {
  auth,
  type Cast,
  createCast,
  createSupplyGroup,
  desRevision,
  expectStatus,
} from '../helpers/workflows';

/** Where the run writes its screenshots of the main screens (docs/console.md shows copies). */
export const SCREENSHOTS = join(__dirname, '..', '..', 'reports', 'console-screenshots');

const SGC = '600727';
const [COMPONENT_1, COMPONENT_2, MISTYPED] = DEV_COMPONENTS.des;

/**
 * The console in a real browser (Debian's Chromium, headless), against the whole service: two
 * custodians in two browser contexts enter their components (the first mistypes, and the check
 * value computed in the page stops the submit), an officer sees the key pending and asks for its
 * activation, a second officer approves it from the inbox, and the auditor sees the events, a
 * verified chain, and downloads the key inventory. Every screen is checked with axe-core.
 */
describe('console in Chromium', () => {
  let svc: TestService;
  let cast: Cast;
  let browser: Browser;
  let base: string;
  const cspViolations: string[] = [];
  const axeFindings: Record<string, unknown[]> = {};

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    svc = await startService({ database: 'sqlite' });
    await svc.app.listen(0, '127.0.0.1');
    const server = svc.app.getHttpServer() as { address(): AddressInfo };
    const { port } = server.address();
    base = `http://127.0.0.1:${port}`;
    cast = await createCast(svc);
    await createSupplyGroup(svc, cast, SGC);
    expectStatus(
      await svc.http
        .post(`/api/v1/supply-groups/${SGC}/vending-keys`)
        .set(...auth(cast.officerA.key))
        .send(desRevision([COMPONENT_1, COMPONENT_2])),
      201,
    );
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await svc?.close();
  });

  /** A fresh browser context (its own cookies) signed in with `key`. */
  async function signIn(key: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    await page.goto(`${base}/console/`);
    await page.getByLabel('Your API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    return page;
  }

  async function check(page: Page, name: string): Promise<void> {
    axeFindings[name] = await seriousAxeViolations(page);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  it('serves the console same-origin with a strict Content-Security-Policy', async () => {
    const res = await svc.http.get('/console/');
    expect(res.status).toBe(200);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['content-security-policy']).not.toMatch(/unsafe|https?:/);
    expect(res.text).not.toMatch(/<script(?![^>]*\ssrc=)/);
    expect(res.text).not.toMatch(/<style|style="/);
    expect((await svc.http.get('/console')).headers.location).toBe('/console/');
  });

  it('signs in without keeping the key, and has no serious accessibility issue', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/console/`);
    await page.getByLabel('Your API key').waitFor();
    // A first visit is not an ended session.
    expect(await page.getByRole('status').count()).toBe(0);
    await check(page, 'sign-in');
    await page.getByLabel('Your API key').fill(cast.auditor.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    // Evaluated in the page (a string: the test's own types have no DOM).
    const stored = await page.evaluate(
      'JSON.stringify([{ ...localStorage }, { ...sessionStorage }, document.cookie])',
    );
    expect(stored).toBe('[{},{},""]');
    expect(await page.content()).not.toContain(cast.auditor.key);
    await context.close();
  });

  it('custodians enter components in two browsers; a mistyped one is stopped by its check value', async () => {
    const first = await signIn(cast.custodians[0].key);
    await first.getByRole('heading', { name: 'My ceremonies', level: 1 }).waitFor();
    const field = first.getByLabel('Your component (hex)');
    expect(await field.getAttribute('autocomplete')).toBe('off');
    await first.getByLabel('Check value on your paperwork').fill(kcvOf('DES', COMPONENT_1));
    await field.fill(MISTYPED);
    await first.getByText('does NOT match your paperwork').waitFor();
    expect(await first.getByRole('button', { name: 'Submit component' }).isDisabled()).toBe(true);
    await check(first, 'ceremony-check-value-mismatch');
    await field.fill(COMPONENT_1);
    await first.getByText('matches your paperwork').waitFor();
    await first.getByRole('button', { name: 'Submit component' }).click();
    await first.getByText('Component accepted: 1 of 2 entered').waitFor();
    await first.getByText('You entered component 1').waitFor();
    expect(await first.content()).not.toContain(COMPONENT_1);

    const second = await signIn(cast.custodians[1].key);
    await second.getByLabel('Check value on your paperwork').fill(kcvOf('DES', COMPONENT_2));
    await second.getByLabel('Your component (hex)').fill(COMPONENT_2);
    await second.getByText('matches your paperwork').waitFor();
    await check(second, 'ceremony-component');
    await second.getByRole('button', { name: 'Submit component' }).click();
    await second
      .getByText('Component accepted: 2 of 2 entered; the ceremony is completed.')
      .waitFor();
    // The server saw one component per custodian: the mistyped one was never sent.
    const ceremonies = expectStatus(
      await svc.http.get('/api/v1/ceremonies').set(...auth(cast.officerA.key)),
      200,
    );
    expect(ceremonies.body.items[0].components).toHaveLength(2);
    expect(ceremonies.body.items[0].state).toBe('completed');
  });

  it('the officer sees the key pending and asks for its activation', async () => {
    const page = await signIn(cast.officerA.key);
    await page.getByRole('link', { name: 'Key revisions' }).click();
    await page.getByRole('button', { name: `Show revisions of ${SGC}` }).click();
    await page.getByText('pending-approval').waitFor();
    await check(page, 'key-revisions');
    await page.getByRole('button', { name: 'Request activation of KRN 1' }).click();
    await page.getByText('Activation of KRN 1 requested').waitFor();
    await page.getByRole('link', { name: /Approvals/ }).click();
    await page.getByText('Your own request: another person decides it.').waitFor();
    expect(await page.getByRole('button', { name: 'Approve this payload' }).count()).toBe(0);
  });

  it('a second officer approves from the inbox, sending the hash shown', async () => {
    const pending = expectStatus(
      await svc.http
        .get('/api/v1/approvals')
        .query({ state: 'pending' })
        .set(...auth(cast.officerB.key)),
      200,
    );
    const request = pending.body.items[0] as { payloadHash: string; id: string };
    const page = await signIn(cast.officerB.key);
    const kcv = kcvOf('DES', xorHex([COMPONENT_1, COMPONENT_2]));
    await page
      .getByRole('heading', { name: `Activate SGC ${SGC} KRN 1 at once (KCV ${kcv})` })
      .waitFor();
    await page.getByLabel('1 pending').waitFor();
    await page
      .getByRole('definition')
      .filter({ hasText: /^officer-a$/ })
      .waitFor();
    expect(await page.locator('code.hash').first().textContent()).toBe(request.payloadHash);
    await check(page, 'approvals-inbox');
    await page.getByRole('button', { name: 'Approve this payload' }).click();
    await page
      .getByText(/^Approved “Activate SGC 600727 KRN 1 at once.*”: the request is now approved\.$/)
      .waitFor();
    const keys = expectStatus(
      await svc.http
        .get('/api/v1/vending-keys')
        .query({ sgc: SGC })
        .set(...auth(cast.auditor.key)),
      200,
    );
    expect(keys.body.items[0].state).toBe('active');
  });

  it('the auditor sees the events and a verified chain, and downloads the inventory', async () => {
    const page = await signIn(cast.auditor.key);
    await page.getByRole('link', { name: 'Audit trail' }).click();
    await page.getByText(/Chain verified: \d+ events/).waitFor();
    await page.getByLabel('Actor id').fill(cast.officerB.id);
    await page.getByLabel('Action').fill('approval.approve');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    // The filtered page: one approval by officer B (the unfiltered page had the admins' too).
    await page.waitForFunction('document.querySelectorAll("table.events tbody tr").length === 1');
    const rows = await page.locator('table.events tbody tr').allTextContents();
    expect(rows[0]).toContain('officer-b');
    expect(rows[0]).toContain('approval.approve');
    await check(page, 'audit-trail');

    await page.getByRole('link', { name: 'Key inventory' }).click();
    await page.getByRole('cell', { name: 'custodian-1, custodian-2' }).waitFor();
    await check(page, 'key-inventory');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download the inventory (CSV)' }).click(),
    ]);
    const csv = readFileSync((await download.path()) ?? '', 'utf8').split('\r\n');
    expect(csv[0]).toMatch(/^sgc,krn,keyType,dkga,state,kcv,/);
    expect(csv[1]).toMatch(
      new RegExp(
        `^${SGC},1,VUDK,02,active,[0-9a-f]{6},ceremony,.*,officer-a,custodian-1; custodian-2,officer-b,`,
      ),
    );
  });

  it('an idle session ends and the console says so', async () => {
    const page = await signIn(cast.auditor.key);
    await page.getByRole('link', { name: 'Audit trail' }).click();
    await page.getByText(/Chain verified/).waitFor();
    svc.clock.advance(16 * 60_000);
    await page.getByRole('button', { name: 'Verify again' }).click();
    await page.getByText('Your session has ended: sign in again.').waitFor();
    await page.getByLabel('Your API key').waitFor();
  });

  it('no screen has a serious or critical axe-core violation, nor a CSP violation', () => {
    expect(Object.keys(axeFindings).length).toBeGreaterThanOrEqual(7);
    expect(axeFindings).toEqual(
      Object.fromEntries(Object.keys(axeFindings).map((name) => [name, []])),
    );
    expect(cspViolations).toEqual([]);
  });
});
