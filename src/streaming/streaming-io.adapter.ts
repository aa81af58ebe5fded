import type { Server as HttpServer } from 'node:http';
import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { Server, type ServerOptions } from 'socket.io';
import { AppConfig } from '../config/app-config.js';
import { RedisFanout } from './redis-fanout.service.js';
import { StreamServer } from './stream-server.service.js';
import { MAX_MESSAGE_BYTES } from './ws-requests.js';

/**
 * Nest's Socket.IO adapter, changed to serve on the streaming server
 * (WS_PORT, or the API's port), with the streaming settings and, with
 * REDIS_URL, the Redis adapter that connects instances.
 */
export class StreamingIoAdapter extends IoAdapter {
  constructor(private readonly app: INestApplicationContext) {
    super(app);
  }

  override createIOServer(
    _port: number,
    options?: Partial<ServerOptions>,
  ): Server {
    const { streaming } = this.app.get(AppConfig);
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
    });
    const adapter = this.app.get(RedisFanout).adapter();
    if (adapter) server.adapter(adapter);

    return server;
  }
}
