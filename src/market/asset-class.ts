export const ASSET_CLASSES = ['equity', 'index', 'crypto', 'forex'] as const;

/** Kind of instrument; decides the trading calendar and the time zone of daily bars. */
export type AssetClass = (typeof ASSET_CLASSES)[number];
