import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  describeWithTool,
} from './support/system-tools.js';
import { newSecret, writeApiKeysFile } from './support/tokens.js';

/** The quote operation's block: `operations-<tag>-<operationId>`. */
const QUOTE_OPERATION = '#operations-quotes-quotesQuote';
const WAIT_MS = 15_000;

/** Runs "Try it out" on the quote of AAPL and returns the status and body shown. */
async function tryQuote(page: Page): Promise<{ status: string; body: string }> {
  const operation = page.locator(QUOTE_OPERATION);
  await operation.locator('.opblock-summary').click();
  await operation.locator('.try-out__btn').click();
  await operation.locator('input[placeholder="symbol"]').fill('AAPL');
  await operation.locator('.execute').click();
  const live = operation.locator('.live-responses-table .response');
  await live.first().waitFor({ timeout: WAIT_MS });
  const status = await live.locator('.response-col_status').first().innerText();
  const body = await live
    .locator('.response-col_description pre')
    .first()
    .innerText();

  return { status: status.trim(), body };
}

describeWithTool(
  'chromium',
  CHROMIUM_PATH,
  'Swagger UI with authentication',
  () => {
    const apiKey = `mk_${newSecret()}`;
    let api: TestApp;
    let browser: Browser;

    beforeAll(async () => {
      api = await startTestApp({
        env: {
          JWT_SECRET: newSecret(),
          API_KEYS_FILE: writeApiKeysFile([
            { key: apiKey, name: 'swagger', scopes: ['quotes:read'] },
          ]),
        },
      });
      browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        args: CHROMIUM_ARGS,
      });
    });

    afterAll(async () => {
      await browser.close();
      await api.close();
    });

    it('shows the 401 problem body without authorizing', async () => {
      const page = await browser.newPage();
      await page.goto(`${api.baseUrl}/docs`);
      await page.locator(QUOTE_OPERATION).waitFor({ timeout: WAIT_MS });

      const { status, body } = await tryQuote(page);

      expect(status).toBe('401');
      expect(body).toContain('"code": "UNAUTHORIZED"');
      expect(body).toContain('bearer token is required');
      await page.close();
    });

    it('authorizes with a token from POST /auth/token and gets a price', async () => {
      const response = await api.request('/auth/token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ apiKey }),
      });
      const { access_token: token } = (await response.json()) as {
        access_token: string;
      };
      const page = await browser.newPage();
      await page.goto(`${api.baseUrl}/docs`);
      await page.locator('.btn.authorize').first().click({ timeout: WAIT_MS });
      const dialog = page.locator('.modal-ux');
      await dialog.locator('input').first().fill(token);
      await dialog.locator('.auth-btn-wrapper .authorize').click();
      await dialog.locator('.btn-done').click();

      const { status, body } = await tryQuote(page);

      expect(response.status).toBe(200);
      expect(status).toBe('200');
      expect(body).toContain('"symbol": "AAPL"');
      expect(body).toMatch(/"price": \d+(\.\d+)?/);
      await page.close();
    });
  },
);
