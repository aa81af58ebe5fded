import type { Server as HttpServer } from 'node:http';
import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { Observable } from 'rxjs';
import { Server, type ServerOptions, type Socket } from 'socket.io';
import { AppConfig } from '../config/app-config.js';
import { RedisFanout } from './redis-fanout.service.js';
import { StreamServer } from './stream-server.service.js';
import { MAX_MESSAGE_BYTES } from './ws-requests.js';

/**
 * Nest's Socket.IO adapter, changed to serve on the streaming server
 * (WS_PORT, or the API's port), with the streaming settings, CORS for
 * CORS_ORIGINS and, with REDIS_URL, the Redis adapter that connects
 * instances.
 */
export class StreamingIoAdapter extends IoAdapter {
  constructor(private readonly app: INestApplicationContext) {
    super(app);
  }

  override createIOServer(
    _port: number,
    options?: Partial<ServerOptions>,
  ): Server {
    const { streaming, security } = this.app.get(AppConfig);
    const origins = security.cors.origins;
    const host = this.app
      .get(StreamServer)
      .attach(this.httpServer as HttpServer);
    const server = new Server(host, {
      ...options,
      pingInterval: streaming.heartbeatMs,
      pingTimeout: streaming.heartbeatMs,
      maxHttpBufferSize: MAX_MESSAGE_BYTES,
      perMessageDeflate: streaming.compression,
      // `/ws` upgrades on the same server are handled by StreamServer.
      destroyUpgrade: false,
      // Long polling from a browser page on another origin needs CORS.
      ...(origins === null
        ? {}
        : { cors: { origin: origins.includes('*') ? '*' : origins } }),
    });
    const adapter = this.app.get(RedisFanout).adapter();
    if (adapter) server.adapter(adapter);

    return server;
  }

  /**
   * Binds each message handler to the socket with one plain listener. Nest's
   * own binding builds a chain of rxjs subscribers per socket and handler,
   * which took about 11 KB more per connection in a heap snapshot of 5,000.
   */
  override bindMessageHandlers(
    socket: Socket,
    handlers: MessageMappingProperties[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    for (const { message, callback, isAckHandledManually } of handlers) {
      socket.on(message as string, (...args: unknown[]) => {
        const { data, ack } = this.mapPayload(args.length > 1 ? args : args[0]);
        let responses: Observable<unknown>;
        try {
          responses = transform(callback(data, ack));
        } catch (error: unknown) {
          this.logger.error(error);
          return;
        }
        responses.subscribe({
          next: (response) => {
            if (response === null || response === undefined) return;
            const reply = response as { event?: string; data?: unknown };
            if (reply.event) socket.emit(reply.event, reply.data);
            else if (!isAckHandledManually && typeof ack === 'function')
              ack(response);
          },
          error: (error: unknown) => this.logger.error(error),
        });
      });
    }
  }
}
