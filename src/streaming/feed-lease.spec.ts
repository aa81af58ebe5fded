import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisClientType } from 'redis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  deleteKeys,
  describeWithRedis,
  redisClient,
  TEST_REDIS_URL,
} from '../../test/support/redis.js';
import { FeedLeases } from './feed-lease.js';

const PREFIX = `mda-test-lease-${randomBytes(6).toString('hex')}`;
const LEASE_MS = 300;
const TIMEOUT_MS = 1000;

describeWithRedis('FeedLeases on Redis', () => {
  let client: RedisClientType;

  beforeAll(async () => {
    client = (await redisClient(TEST_REDIS_URL)) as RedisClientType;
  });

  afterAll(async () => {
    await deleteKeys(TEST_REDIS_URL, PREFIX);
    await client.close();
  });

  const leases = () => new FeedLeases(client, PREFIX, LEASE_MS, TIMEOUT_MS);

  it('gives a free lease to the first claimant only', async () => {
    const first = leases();
    const second = leases();

    expect(await first.claim('AAPL')).toBe('owned');
    expect(await second.claim('AAPL')).toBe('held');
    expect(await first.claim('AAPL')).toBe('owned');
  });

  it('renews the lease of its holder', async () => {
    const holder = leases();
    const other = leases();
    await holder.claim('MSFT');
    await sleep(LEASE_MS / 2);
    const before = await client.pTTL(holder.key('MSFT'));

    expect(await holder.claim('MSFT')).toBe('owned');
    const after = await client.pTTL(holder.key('MSFT'));

    expect(after).toBeGreaterThan(before);
    expect(await other.claim('MSFT')).toBe('held');
  });

  it('passes a lapsed lease to another instance', async () => {
    const dead = leases();
    const successor = leases();
    await dead.claim('TSLA');

    await sleep(LEASE_MS * 2);

    expect(await successor.claim('TSLA')).toBe('owned');
    expect(await dead.claim('TSLA')).toBe('held');
  });

  it('frees a released lease at once', async () => {
    const holder = leases();
    const other = leases();
    await holder.claim('NVDA');

    await other.release('NVDA');
    expect(await other.claim('NVDA')).toBe('held');
    await holder.release('NVDA');

    expect(await other.claim('NVDA')).toBe('owned');
  });

  it('reports unavailable while the client is closed', async () => {
    const closed = (await redisClient(TEST_REDIS_URL)) as RedisClientType;
    await closed.close();

    const outcome = await new FeedLeases(
      closed,
      PREFIX,
      LEASE_MS,
      TIMEOUT_MS,
    ).claim('AMD');

    expect(outcome).toBe('unavailable');
  });
});
