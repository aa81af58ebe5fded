import { Injectable } from '@nestjs/common';
import { Subject } from 'rxjs';
import type { Server } from 'socket.io';
import { RedisService } from '../redis/redis.service.js';
import type { StatusPayload, StreamQuote } from './stream-messages.js';

/** Events instances send each other through the Socket.IO Redis adapter. */
export interface BusEvents {
  'stream:quote': (quote: StreamQuote) => void;
  'stream:status': (status: StatusPayload) => void;
}

/** The Socket.IO server as the bus uses it. */
export type BusServer = Server<
  Record<string, never>,
  Record<string, never>,
  BusEvents
>;

/**
 * Carries quotes and feed status from the instance that runs a feed to the
 * subscribers of every instance. Local subscribers get a message at once.
 * Other instances get it through the server-side emit of the Socket.IO Redis
 * adapter, which uses the same Redis pub/sub as Socket.IO broadcasts.
 * Without Redis the bus is local only.
 */
@Injectable()
export class QuoteBus {
  private readonly quoteSubject = new Subject<StreamQuote>();
  private readonly statusSubject = new Subject<StatusPayload>();
  readonly quotes = this.quoteSubject.asObservable();
  readonly statuses = this.statusSubject.asObservable();
  private cluster: BusServer | null = null;

  constructor(private readonly redis: RedisService) {}

  /**
   * Connects the bus to the other instances through the server's Redis
   * adapter; without REDIS_URL the server has none and the bus stays local.
   */
  attach(server: BusServer): void {
    if (!this.redis.client) return;
    this.cluster = server;
    server.on('stream:quote', (quote) => this.quoteSubject.next(quote));
    server.on('stream:status', (status) => this.statusSubject.next(status));
  }

  publishQuote(quote: StreamQuote): void {
    this.quoteSubject.next(quote);
    this.cluster?.serverSideEmit('stream:quote', quote);
  }

  publishStatus(status: StatusPayload): void {
    this.statusSubject.next(status);
    this.cluster?.serverSideEmit('stream:status', status);
  }
}
