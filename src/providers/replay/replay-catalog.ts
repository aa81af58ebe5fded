import { DateTime } from 'luxon';
import { DataNotAvailableError } from '../../common/api.errors.js';
import type { Bar, Coverage } from '../../market/bar.js';
import { timeZoneOf } from '../../market/exchange-zones.js';
import { INTERVAL_MS, type Interval } from '../../market/interval.js';
import type { Instrument } from '../../market/symbol.js';
import type { ReplaySeries } from './replay-series.js';
import { SeriesViews } from './series-views.js';

/** Everything stored for one symbol. */
export interface CatalogEntry {
  instrument: Instrument;
  /** Stored series, finest interval first. */
  series: ReplaySeries[];
  /** Bars already built, shared by every entry of the catalog. */
  views: SeriesViews;
}

/**
 * How many symbols an error lists before it abbreviates, so a folder of
 * thousands of files does not fill every error body.
 */
const LISTED_SYMBOLS = 10;

/** The loaded series, looked up by canonical symbol. */
export class ReplayCatalog {
  private readonly entries = new Map<string, CatalogEntry>();

  constructor(series: readonly ReplaySeries[], views = new SeriesViews()) {
    for (const stored of series) {
      const symbol = stored.instrument.symbol;
      const entry: CatalogEntry = this.entries.get(symbol) ?? {
        instrument: stored.instrument,
        series: [],
        views,
      };
      entry.series.push(stored);
      entry.series.sort(
        (a, b) => INTERVAL_MS[a.interval] - INTERVAL_MS[b.interval],
      );
      this.entries.set(symbol, entry);
    }
  }

  /** Canonical symbols in alphabetical order. */
  symbols(): string[] {
    return [...this.entries.keys()].sort();
  }

  get size(): number {
    return this.entries.size;
  }

  find(symbol: string): CatalogEntry | undefined {
    return this.entries.get(symbol);
  }

  /**
   * Returns the symbol's entry, or throws DataNotAvailableError listing what
   * the files contain.
   */
  require(symbol: string): CatalogEntry {
    const entry = this.entries.get(symbol);
    if (entry) return entry;
    const symbols = this.symbols();
    const listed = symbols.slice(0, LISTED_SYMBOLS).join(', ');
    const more =
      symbols.length > LISTED_SYMBOLS
        ? ` and ${symbols.length - LISTED_SYMBOLS} more`
        : '';
    const contents =
      symbols.length === 0
        ? 'They contain no symbols.'
        : `They contain ${listed}${more}.`;

    throw new DataNotAvailableError(
      symbol,
      `The replay files have no data for ${symbol}. ${contents}`,
      { available: symbols.slice(0, LISTED_SYMBOLS) },
    );
  }
}

/**
 * Returns the dates of the first and last stored bar, in the instrument's
 * zone.
 */
export function coverageOf(series: ReplaySeries): Coverage {
  const first = series.bars[0];
  const last = series.bars[series.bars.length - 1];
  const zone = timeZoneOf(series.instrument);

  return {
    from: first ? dateOf(first, zone) : '',
    to: last ? dateOf(last, zone) : '',
  };
}

function dateOf(bar: Bar, zone: string): string {
  return bar.date ?? DateTime.fromMillis(bar.time, { zone }).toISODate() ?? '';
}

/**
 * Describes the stored series of a symbol, e.g.
 * `1d from 2012-01-03 to 2014-12-31`.
 */
export function describeCoverage(entry: CatalogEntry): string {
  return entry.series
    .map((series) => {
      const { from, to } = coverageOf(series);
      return `${series.interval} from ${from} to ${to}`;
    })
    .join(' and ');
}

/** Lists coverage per stored interval, for error details. */
export function coverageList(
  entry: CatalogEntry,
): Array<{ interval: Interval } & Coverage> {
  return entry.series.map((series) => ({
    interval: series.interval,
    ...coverageOf(series),
  }));
}
