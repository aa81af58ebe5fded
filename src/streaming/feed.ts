import type { Quote } from '../market/quote.js';
import type { FeedEvent } from '../providers/market-data-source.js';

/** Callbacks that receive what a running feed produces. */
export interface FeedListener {
  quote(quote: Quote): void;
  status(event: FeedEvent): void;
}

/** A running source of quotes for one symbol. */
export interface Feed {
  /** `native:<source>` or `poll`, for logs and status. */
  readonly kind: string;
  stop(): void;
}
