import type { AssetClass } from '../../market/asset-class.js';
import { isUsListed } from '../../market/exchange-zones.js';
import { currencyOf } from '../../market/listing-currency.js';
import { parseSymbol, type Instrument } from '../../market/symbol.js';
import { SeededRandom } from './seeded-random.js';

/** One instrument of the simulated universe: its profile and how its price moves. */
export interface SimulatedInstrument {
  instrument: Instrument;
  name: string | null;
  /** ISO 10383 market identifier code; null for indices, crypto, forex and unlisted symbols. */
  exchange: string | null;
  currency: string;
  country: string | null;
  sector: string | null;
  industry: string | null;
  website: string | null;
  /** Price at which the daily walk starts and toward which it reverts. */
  basePrice: number;
  /** Standard deviation of daily log returns. */
  dailyVolatility: number;
  /** Mean units traded per trading day, or null where none are reported. */
  averageVolume: number | null;
  /** Decimal places that prices are rounded to. */
  decimals: number;
}

type Listing = Omit<
  SimulatedInstrument,
  'instrument' | 'decimals' | 'country' | 'currency'
> & { symbol: string };

/** Typical daily volatility of each asset class, for symbols outside the table. */
export const DEFAULT_VOLATILITY: Readonly<Record<AssetClass, number>> = {
  equity: 0.018,
  index: 0.011,
  crypto: 0.035,
  forex: 0.005,
};

function stock(
  symbol: string,
  name: string,
  exchange: 'XNAS' | 'XNYS',
  [sector, industry]: [string, string],
  website: string,
  [basePrice, dailyVolatility, averageVolume]: [number, number, number],
): Listing {
  return {
    symbol,
    name,
    exchange,
    sector,
    industry,
    website,
    basePrice,
    dailyVolatility,
    averageVolume,
  };
}

function market(
  symbol: string,
  name: string,
  basePrice: number,
  dailyVolatility: number,
  averageVolume: number | null = null,
): Listing {
  return {
    symbol,
    name,
    exchange: null,
    sector: null,
    industry: null,
    website: null,
    basePrice,
    dailyVolatility,
    averageVolume,
  };
}

const TECH = 'Information Technology';
const COMMUNICATION = 'Communication Services';
const DISCRETIONARY = 'Consumer Discretionary';
const STAPLES = 'Consumer Staples';
const FINANCIALS = 'Financials';

/**
 * The built-in universe. Sectors and industries follow GICS. Base prices,
 * volatilities and volumes are round figures near the instruments' levels
 * of the mid-2020s, not live data.
 */
const LISTINGS: readonly Listing[] = [
  stock(
    'AAPL',
    'Apple Inc.',
    'XNAS',
    [TECH, 'Technology Hardware, Storage & Peripherals'],
    'https://www.apple.com',
    [190, 0.017, 55_000_000],
  ),
  stock(
    'MSFT',
    'Microsoft Corporation',
    'XNAS',
    [TECH, 'Software'],
    'https://www.microsoft.com',
    [420, 0.016, 20_000_000],
  ),
  stock(
    'NVDA',
    'NVIDIA Corporation',
    'XNAS',
    [TECH, 'Semiconductors & Semiconductor Equipment'],
    'https://www.nvidia.com',
    [120, 0.03, 250_000_000],
  ),
  stock(
    'AMZN',
    'Amazon.com, Inc.',
    'XNAS',
    [DISCRETIONARY, 'Broadline Retail'],
    'https://www.amazon.com',
    [180, 0.02, 40_000_000],
  ),
  stock(
    'GOOGL',
    'Alphabet Inc. Class A',
    'XNAS',
    [COMMUNICATION, 'Interactive Media & Services'],
    'https://abc.xyz',
    [165, 0.018, 25_000_000],
  ),
  stock(
    'META',
    'Meta Platforms, Inc.',
    'XNAS',
    [COMMUNICATION, 'Interactive Media & Services'],
    'https://www.meta.com',
    [500, 0.024, 14_000_000],
  ),
  stock(
    'TSLA',
    'Tesla, Inc.',
    'XNAS',
    [DISCRETIONARY, 'Automobiles'],
    'https://www.tesla.com',
    [220, 0.035, 90_000_000],
  ),
  stock(
    'BRK.B',
    'Berkshire Hathaway Inc. Class B',
    'XNYS',
    [FINANCIALS, 'Financial Services'],
    'https://www.berkshirehathaway.com',
    [420, 0.01, 4_000_000],
  ),
  stock(
    'JPM',
    'JPMorgan Chase & Co.',
    'XNYS',
    [FINANCIALS, 'Banks'],
    'https://www.jpmorganchase.com',
    [200, 0.015, 9_000_000],
  ),
  stock(
    'V',
    'Visa Inc.',
    'XNYS',
    [FINANCIALS, 'Financial Services'],
    'https://www.visa.com',
    [275, 0.013, 7_000_000],
  ),
  stock(
    'JNJ',
    'Johnson & Johnson',
    'XNYS',
    ['Health Care', 'Pharmaceuticals'],
    'https://www.jnj.com',
    [155, 0.011, 7_000_000],
  ),
  stock(
    'XOM',
    'Exxon Mobil Corporation',
    'XNYS',
    ['Energy', 'Oil, Gas & Consumable Fuels'],
    'https://www.exxonmobil.com',
    [110, 0.015, 15_000_000],
  ),
  stock(
    'KO',
    'The Coca-Cola Company',
    'XNYS',
    [STAPLES, 'Beverages'],
    'https://www.coca-colacompany.com',
    [62, 0.01, 13_000_000],
  ),
  stock(
    'PG',
    'The Procter & Gamble Company',
    'XNYS',
    [STAPLES, 'Household Products'],
    'https://www.pg.com',
    [165, 0.01, 7_000_000],
  ),
  stock(
    'DIS',
    'The Walt Disney Company',
    'XNYS',
    [COMMUNICATION, 'Entertainment'],
    'https://thewaltdisneycompany.com',
    [100, 0.017, 9_000_000],
  ),
  stock(
    'HD',
    'The Home Depot, Inc.',
    'XNYS',
    [DISCRETIONARY, 'Specialty Retail'],
    'https://www.homedepot.com',
    [360, 0.014, 3_500_000],
  ),
  market('^GSPC', 'S&P 500', 5200, 0.01),
  market('^DJI', 'Dow Jones Industrial Average', 39_000, 0.009),
  market('^IXIC', 'NASDAQ Composite', 16_500, 0.013),
  market('BTC-USD', 'Bitcoin USD', 60_000, 0.03, 25_000),
  market('ETH-USD', 'Ethereum USD', 3000, 0.035, 400_000),
  market('SOL-USD', 'Solana USD', 150, 0.04, 3_000_000),
  market('EUR-USD', 'Euro / US Dollar', 1.08, 0.005),
  market('GBP-USD', 'British Pound / US Dollar', 1.27, 0.0055),
  market('USD-JPY', 'US Dollar / Japanese Yen', 150, 0.006),
];

/** Range of base prices and daily volumes drawn for symbols outside the table. */
const GENERIC_RANGES: Readonly<
  Record<
    AssetClass,
    { price: [number, number]; volume: [number, number] | null }
  >
> = {
  equity: { price: [10, 500], volume: [1e6, 3e7] },
  index: { price: [1000, 20_000], volume: null },
  crypto: { price: [0.5, 5000], volume: [1e4, 1e7] },
  forex: { price: [0.5, 2], volume: null },
};

/**
 * Builds the universe keyed by canonical symbol. Without `symbols` (or with
 * an empty list) it is the built-in table. Otherwise each entry is parsed
 * with `parseSymbol`: listed symbols keep their details, and others get a
 * generic profile with a base price drawn from the seed and the symbol.
 * Throws InvalidParameterError naming SIMULATED_SYMBOLS for an entry that
 * does not parse.
 */
export function buildUniverse(
  seed: number,
  symbols?: readonly string[] | null,
): Map<string, SimulatedInstrument> {
  const listed = new Map(
    LISTINGS.map((listing) => {
      const entry = fromListing(listing);
      return [entry.instrument.symbol, entry];
    }),
  );
  if (!symbols || symbols.length === 0) return listed;

  const universe = new Map<string, SimulatedInstrument>();
  for (const raw of symbols) {
    const instrument = parseSymbol(raw, { parameter: 'SIMULATED_SYMBOLS' });
    const entry =
      listed.get(instrument.symbol) ?? genericInstrument(instrument, seed);
    universe.set(instrument.symbol, entry);
  }

  return universe;
}

function fromListing(listing: Listing): SimulatedInstrument {
  const { symbol, ...details } = listing;
  const instrument = parseSymbol(symbol);

  return {
    ...details,
    instrument,
    currency: currencyOf(instrument),
    country: isUsListed(instrument) ? 'US' : null,
    decimals: priceDecimals(instrument.assetClass, listing.basePrice),
  };
}

function genericInstrument(
  instrument: Instrument,
  seed: number,
): SimulatedInstrument {
  const random = SeededRandom.of(seed, instrument.symbol, 'profile');
  const ranges = GENERIC_RANGES[instrument.assetClass];
  const basePrice = roundSignificant(logUniform(random, ranges.price), 3);
  const volume = ranges.volume ? logUniform(random, ranges.volume) : null;
  const isPair = instrument.base !== undefined;

  return {
    instrument,
    name: isPair ? `${instrument.base}/${instrument.quote}` : null,
    exchange: null,
    currency: currencyOf(instrument),
    country: isUsListed(instrument) ? 'US' : null,
    sector: null,
    industry: null,
    website: null,
    basePrice,
    dailyVolatility: DEFAULT_VOLATILITY[instrument.assetClass],
    averageVolume: volume === null ? null : Math.round(volume),
    decimals: priceDecimals(instrument.assetClass, basePrice),
  };
}

/**
 * Decimal places of quoted prices: five for currency pairs (three when the
 * rate is large, as for yen), cents for prices of one or more, and about
 * four significant digits below one.
 */
export function priceDecimals(assetClass: AssetClass, price: number): number {
  if (assetClass === 'forex') return price >= 20 ? 3 : 5;
  if (price >= 1) return 2;

  return Math.min(10, 3 - Math.floor(Math.log10(price)));
}

function logUniform(random: SeededRandom, [low, high]: [number, number]) {
  return low * Math.exp(random.uniform() * Math.log(high / low));
}

function roundSignificant(value: number, digits: number): number {
  return Number(value.toPrecision(digits));
}
