import type { LoggerService } from '@nestjs/common';
import { EMPTY, merge, type Observable } from 'rxjs';
import type { AssetClass } from '../../market/asset-class.js';
import type { Tick } from '../../market/quote.js';
import type { Instrument } from '../../market/symbol.js';
import type { FeedEvent, TickStream } from '../market-data-source.js';
import type { StreamState } from './upstream-stream.client.js';

/** A tick stream over one connection, with its figures for status pages. */
export interface ConnectionStream extends TickStream {
  state(): StreamState;
}

/** One connection of a source and the asset classes it carries. */
export interface StreamRoute {
  /** Key of the connection's figures in `state()`, such as `stocks`. */
  name: string;
  assetClasses: readonly AssetClass[];
  stream: ConnectionStream;
}

export interface RoutedTickStreamOptions {
  /** Source id, for logs. */
  source: string;
  logger: LoggerService;
  routes: readonly StreamRoute[];
}

/**
 * One tick stream over several connections of a source, for sources that
 * serve each asset class at its own endpoint. Subscriptions go to the
 * connection of the instrument's asset class, ticks and feed events of every
 * connection are merged, and closing closes them all. Each connection
 * decides itself when to open, so an `UpstreamStreamClient` still connects
 * only once a symbol of its kind is subscribed.
 */
export class RoutedTickStream implements TickStream {
  readonly ticks: Observable<Tick>;
  readonly events: Observable<FeedEvent>;

  private readonly routes: readonly StreamRoute[];
  /** Canonical symbol → the route it was subscribed on. */
  private readonly routeOfSymbol = new Map<string, StreamRoute>();

  constructor(private readonly options: RoutedTickStreamOptions) {
    this.routes = options.routes;
    this.ticks = merge(...this.routes.map((route) => route.stream.ticks));
    this.events = merge(
      ...this.routes.map((route) => route.stream.events ?? EMPTY),
    );
  }

  subscribe(instruments: readonly Instrument[]): void {
    const batches = new Map<StreamRoute, Instrument[]>();
    for (const instrument of instruments) {
      const route = this.routes.find((candidate) =>
        candidate.assetClasses.includes(instrument.assetClass),
      );
      if (!route) {
        this.options.logger.debug?.(
          `${this.options.source} stream does not carry ${instrument.assetClass} ${instrument.symbol}`,
        );
        continue;
      }
      this.routeOfSymbol.set(instrument.symbol, route);
      batches.set(route, [...(batches.get(route) ?? []), instrument]);
    }
    for (const [route, batch] of batches) route.stream.subscribe(batch);
  }

  /** Ends subscriptions on the connections they were made on, skipping symbols never subscribed. */
  unsubscribe(symbols: readonly string[]): void {
    const batches = new Map<StreamRoute, string[]>();
    for (const symbol of symbols) {
      const route = this.routeOfSymbol.get(symbol);
      if (!route) continue;
      this.routeOfSymbol.delete(symbol);
      batches.set(route, [...(batches.get(route) ?? []), symbol]);
    }
    for (const [route, batch] of batches) route.stream.unsubscribe(batch);
  }

  /** Figures of each connection, keyed by route name. */
  state(): Record<string, StreamState> {
    return Object.fromEntries(
      this.routes.map((route) => [route.name, route.stream.state()]),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.routes.map((route) => route.stream.close()));
  }
}
