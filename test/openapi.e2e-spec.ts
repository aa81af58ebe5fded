import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  describeWithTool,
} from './support/system-tools.js';

interface Operation {
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; description?: string }[];
  responses: Record<
    string,
    {
      content?: Record<string, { schema?: { $ref?: string } }>;
      headers?: Record<string, { schema?: { enum?: string[] } }>;
    }
  >;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, unknown>;
    securitySchemes?: Record<string, { type: string; scheme?: string }>;
  };
}

const SYMBOL_ROUTES = [
  'stocks/{symbol}',
  'crypto/{symbol}',
  'forex/{pair}',
].flatMap((base) =>
  ['', '/history', '/info', '/profile'].map(
    (suffix) => `/api/${base}${suffix}`,
  ),
);
const ROUTES = [
  '/api/quotes',
  '/api/quotes/{symbol}',
  ...SYMBOL_ROUTES,
  '/api/market/status',
  '/api/symbols',
  '/api/providers',
  '/api/session',
  '/problems/{slug}',
  '/health',
  '/health/live',
  '/health/ready',
  '/auth/token',
];

let api: TestApp;
let document: OpenApiDocument;

beforeAll(async () => {
  api = await startTestApp();
  document = (await api.json<OpenApiDocument>('/docs-json')).body;
});

afterAll(async () => {
  await api.close();
});

describe('OpenAPI document', () => {
  it('lists every route', () => {
    expect(Object.keys(document.paths).sort()).toEqual([...ROUTES].sort());
  });

  it.each(ROUTES.filter((route) => route.startsWith('/api')))(
    'documents 200, 400 and 500 of %s',
    (route) => {
      const responses = document.paths[route]?.get?.responses ?? {};
      expect(Object.keys(responses)).toContain('200');
      expect(Object.keys(responses)).toContain('500');
      expect(
        responses['400']?.content?.['application/problem+json']?.schema?.$ref,
      ).toBe('#/components/schemas/Problem');
    },
  );

  it.each([...SYMBOL_ROUTES, '/api/quotes/{symbol}'])(
    'documents 404 and 503 of %s',
    (route) => {
      const responses = document.paths[route]?.get?.responses ?? {};
      expect(Object.keys(responses)).toEqual(
        expect.arrayContaining(['404', '502', '503']),
      );
    },
  );

  it.each([
    ...SYMBOL_ROUTES,
    '/api/quotes',
    '/api/quotes/{symbol}',
    '/api/symbols',
  ])('documents the X-Cache header of %s', (route) => {
    const header =
      document.paths[route]?.get?.responses['200']?.headers?.['X-Cache'];
    expect(header?.schema?.enum).toEqual(['HIT', 'MISS', 'STALE']);
  });

  it('defines the bearer scheme', () => {
    expect(document.components.securitySchemes?.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
  });

  it.each(
    ROUTES.filter(
      (route) => route.startsWith('/api') && route !== '/api/session',
    ),
  )('documents bearer auth, 401, 403 and 429 of %s', (route) => {
    const operation = document.paths[route]?.get;
    const responses = operation?.responses ?? {};
    expect(operation?.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(responses)).toEqual(
      expect.arrayContaining(['401', '403', '429']),
    );
    expect(responses['429']?.headers?.['Retry-After']).toBeDefined();
  });

  it('documents the session check as bearer auth without 429', () => {
    const operation = document.paths['/api/session']?.get;
    const responses = Object.keys(operation?.responses ?? {});

    expect(operation?.security).toEqual([{ bearer: [] }]);
    expect(responses).toEqual(expect.arrayContaining(['401', '403']));
    expect(responses).not.toContain('429');
  });

  it('leaves health routes open and unthrottled', () => {
    const operation = document.paths['/health/live']?.get;
    expect(operation?.security).toBeUndefined();
    expect(Object.keys(operation?.responses ?? {})).not.toContain('429');
  });

  it('describes every history parameter', () => {
    const parameters =
      document.paths['/api/stocks/{symbol}/history']?.get?.parameters ?? [];
    const query = parameters.filter((parameter) => parameter.in === 'query');
    expect(query.map((parameter) => parameter.name).sort()).toEqual([
      'adjusted',
      'cursor',
      'format',
      'from',
      'interval',
      'limit',
      'to',
    ]);
    for (const parameter of query)
      expect(parameter.description, parameter.name).toBeTruthy();
  });

  it('lists the allowed intervals', () => {
    const parameters =
      document.paths['/api/stocks/{symbol}/history']?.get?.parameters ?? [];
    const interval = parameters.find(
      (parameter) => parameter.name === 'interval',
    ) as { schema?: { enum?: string[] } } | undefined;
    expect(interval?.schema?.enum).toEqual([
      '1m',
      '5m',
      '15m',
      '30m',
      '1h',
      '1d',
      '1wk',
      '1mo',
    ]);
  });

  it('documents CSV history as text', () => {
    const ok = document.paths['/api/crypto/{symbol}/history']?.get?.responses[
      '200'
    ] as
      { content?: Record<string, { schema?: { type?: string } }> } | undefined;
    expect(ok?.content?.['text/csv']?.schema?.type).toBe('string');
    expect(ok?.content?.['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/History',
    });
  });

  it('resolves every schema reference', () => {
    const text = JSON.stringify(document);
    const references = [
      ...text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g),
    ].map((match) => match[1] ?? '');
    expect(references.length).toBeGreaterThan(0);
    for (const name of new Set(references))
      expect(document.components.schemas[name], name).toBeDefined();
    expect(text).not.toContain('#/definitions/');
  });

  it('defines the problem body', () => {
    const problem = document.components.schemas.Problem as {
      properties?: Record<string, unknown>;
    };
    expect(Object.keys(problem.properties ?? {})).toEqual(
      expect.arrayContaining([
        'type',
        'title',
        'status',
        'code',
        'detail',
        'instance',
      ]),
    );
  });

  it('defines the response schemas', () => {
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining([
        'Problem',
        'Quote',
        'History',
        'Bar',
        'Profile',
        'MarketStatus',
      ]),
    );
  });
});

describeWithTool('chromium', CHROMIUM_PATH, 'Swagger UI in Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
    });
  });

  afterAll(async () => {
    await browser.close();
  });

  it('shows every endpoint and its errors', async () => {
    const page = await browser.newPage();
    await page.goto(`${api.baseUrl}/docs`);
    // Swagger UI renders operations in steps; wait until all are on the page.
    await expect
      .poll(() => page.locator('.opblock').count(), { timeout: 15_000 })
      .toBe(ROUTES.length);
    const summaries = await page
      .locator('.opblock-summary-path')
      .allTextContents();
    const shown = summaries
      .map((text) => text.replace(/\u200b/g, '').trim())
      .sort();
    expect(shown).toEqual([...ROUTES].sort());

    await page
      .locator('#operations-stocks-stocksHistory .opblock-summary')
      .click();
    await page
      .locator('#operations-stocks-stocksHistory .responses-table')
      .first()
      .waitFor({ timeout: 15_000 });
    const codes = await page
      .locator(
        '#operations-stocks-stocksHistory .responses-table .response-col_status',
      )
      .allTextContents();
    expect(codes.map((code) => code.trim())).toEqual(
      expect.arrayContaining(['200', '400', '404', '502', '503']),
    );
    await page.close();
  });
});
