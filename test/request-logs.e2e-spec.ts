import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildService, ROOT } from './support/build.js';
import {
  startServiceProcess,
  type ServiceProcess,
} from './support/service-process.js';

const outDir = path.join(ROOT, 'dist-test', 'request-logs');

interface LogLine {
  msg: string;
  context?: string;
  reqId?: string;
}

describe('request ids on lines outside a cache load', () => {
  let jwks: Server;
  let service: ServiceProcess;

  beforeAll(async () => {
    buildService(outDir);
    jwks = createServer((_request, response) => {
      response.statusCode = 503;
      response.end('unavailable');
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const port = (jwks.address() as AddressInfo).port;
    service = await startServiceProcess(path.join(outDir, 'main.js'), {
      LOG_LEVEL: 'info',
      JWT_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`,
      JWT_ALGORITHMS: 'ES256',
    });
  }, 60_000);

  afterAll(async () => {
    await service.stop();
    await new Promise((resolve) => jwks.close(resolve));
  });

  it('puts the request id on the JWKS warning', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const token = await new SignJWT({ scope: 'quotes:read' })
      .setProtectedHeader({ alg: 'ES256', kid: 'current' })
      .setSubject('jwks-client')
      .setExpirationTime(Math.floor(Date.now() / 1000) + 300)
      .sign(privateKey);
    const response = await fetch(`${service.apiUrl}/api/quotes/AAPL`, {
      headers: {
        authorization: `Bearer ${token}`,
        'x-request-id': 'jwks-warning-1',
      },
    });
    await response.arrayBuffer();
    await sleep(200);
    const warning = service
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine)
      .find((line) => line.context === 'JwtVerifier');

    expect(response.status).toBe(401);
    expect(warning?.msg).toContain('Fetching the JWKS');
    expect(warning?.reqId).toBe('jwks-warning-1');
  });
});
