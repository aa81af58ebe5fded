// Serves one variant of the cached-quote benchmark on 127.0.0.1 and prints
// its port: `fastify` (a bare Fastify route), `nest` (a route of the full
// application that returns a fixed body), `memory` and `redis` (the quote
// route served from the memory tier, or from Redis with the memory tier off).
// The fixed body comes from the BODY environment variable.
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import Fastify from 'fastify';
import { AppModule } from '../dist/app.module.js';
import { configureApp, createAdapter } from '../dist/app.setup.js';
import { loadConfig } from '../dist/config/config.loader.js';

const variant = process.argv[2];
const body = JSON.parse(process.env.BODY ?? '{}');

async function bareFastify() {
  const app = Fastify();
  app.get('/bench/quote', () => body);
  await app.listen({ port: 0, host: '127.0.0.1' });

  return app.server.address().port;
}

class FixedQuoteController {
  quote() {
    return body;
  }
}
Controller('bench')(FixedQuoteController);
Get('quote')(
  FixedQuoteController.prototype,
  'quote',
  Object.getOwnPropertyDescriptor(FixedQuoteController.prototype, 'quote'),
);

async function nestApp(env) {
  const config = loadConfig({ env: { ...process.env, ...env } });
  class BenchModule {}
  Module({
    imports: [AppModule.register(config)],
    controllers: [FixedQuoteController],
  })(BenchModule);
  const app = await NestFactory.create(BenchModule, createAdapter(), {
    logger: ['fatal', 'error'],
  });
  await configureApp(app);
  await app.listen(0, '127.0.0.1');

  return app.getHttpServer().address().port;
}

const common = { LOG_LEVEL: 'error', SWAGGER_ENABLED: 'false' };
const variants = {
  fastify: () => bareFastify(),
  nest: () => nestApp(common),
  memory: () => nestApp(common),
  redis: () =>
    nestApp({
      ...common,
      REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
      CACHE_KEY_PREFIX: `bench-${process.pid}`,
      CACHE_MEMORY_TTL: '0',
    }),
};

if (!variants[variant]) {
  console.error(
    `unknown variant "${variant}"; use ${Object.keys(variants).join(', ')}`,
  );
  process.exit(2);
}
const port = await variants[variant]();
process.stdout.write(`${JSON.stringify({ port })}\n`);
