import { z } from 'zod';
import { SOURCE_IDS } from '../providers/market-data-source.js';
import {
  boolean,
  decimal,
  host,
  integer,
  list,
  oneOf,
  symbol,
  text,
} from './config.fields.js';

export const LOG_LEVELS = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
] as const;

const sourceId = oneOf(SOURCE_IDS);
const sourceList = list(sourceId, 'replay,simulated');

/**
 * Every setting the service reads, by its environment name, with its default.
 * `.env.example` documents the same names; a unit test keeps the two in step.
 */
export const SETTINGS = {
  NODE_ENV: oneOf(['development', 'production', 'test']).default('development'),
  API_HOST: host().default('127.0.0.1'),
  API_PORT: integer(0, 65_535).default(8000),
  LOG_LEVEL: oneOf(LOG_LEVELS).default('info'),
  SWAGGER_ENABLED: boolean().default(true),
  REPLAY_DIR: text().optional(),
  REPLAY_SPEED: decimal(0.001, 1_000_000, 'multiplier of real time').default(
    60,
  ),
  SIMULATED_SYMBOLS: list(symbol(), 'AAPL,BTC-USD,EUR-USD').optional(),
  SIMULATED_SEED: integer(0, 2_147_483_647).default(42),
  QUOTE_PROVIDERS: sourceList.optional(),
  HISTORY_PROVIDERS: sourceList.optional(),
  PROFILE_PROVIDERS: sourceList.optional(),
  SEARCH_PROVIDERS: sourceList.optional(),
  STREAM_PROVIDERS: sourceList.optional(),
} as const;

export type SettingName = keyof typeof SETTINGS;

export const settingsSchema = z.object(SETTINGS);

export type Settings = z.output<typeof settingsSchema>;
