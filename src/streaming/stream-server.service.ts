import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Duplex } from 'node:stream';
import {
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { WsEndpoint } from './ws-endpoint.service.js';

/** Path of the plain WebSocket endpoint. */
export const WS_PATH = '/ws';
/** Path prefix that Socket.IO serves (its default). */
export const SOCKET_IO_PATH = '/socket.io/';

/**
 * The HTTP server streaming clients connect to: the API's own server when
 * WS_PORT equals API_PORT, else a server of its own on WS_PORT and
 * API_HOST. It routes WebSocket upgrades to `/ws` and leaves those to
 * `/socket.io/` to Socket.IO; other upgrades get 404.
 */
@Injectable()
export class StreamServer
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(StreamServer.name);
  private server: Server | null = null;
  private own = false;

  constructor(
    private readonly config: AppConfig,
    private readonly wsEndpoint: WsEndpoint,
  ) {}

  /** Returns the server to serve streams on, given the API's, and sets up `/ws` on it. */
  attach(apiServer: Server): Server {
    if (this.server) return this.server;
    this.own = !this.config.streaming.sharesApiPort;
    const server = this.own ? createServer(notFound) : apiServer;
    if (this.own) {
      server.on('error', (error) => {
        if (server.listening)
          this.logger.error(`Streaming server failed: ${error.message}`);
      });
    }
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head) =>
      this.route(request, socket, head),
    );
    this.server = server;

    return server;
  }

  /** Port streaming clients connect to, once listening. */
  port(): number | null {
    const address = this.server?.address();

    return address && typeof address === 'object' ? address.port : null;
  }

  async onApplicationBootstrap(): Promise<void> {
    const server = this.server;
    if (!server) return;
    if (!this.own) {
      this.logger.log(`Streaming on the API port at ${WS_PATH} and Socket.IO`);
      return;
    }
    const { host } = this.config.api;
    const { port } = this.config.streaming;
    await new Promise<void>((resolve, reject) => {
      const fail = (error: Error) =>
        reject(
          new Error(
            `the streaming server cannot listen on ${host}:${port} (WS_PORT): ${error.message}`,
          ),
        );
      server.once('error', fail);
      server.listen(port, host, () => {
        server.off('error', fail);
        resolve();
      });
    });
    this.logger.log(
      `Streaming on ws://${host}:${this.port()}${WS_PATH} and Socket.IO`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server || !this.own || !server.listening) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private route(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (path === WS_PATH) {
      this.wsEndpoint.handleUpgrade(request, socket, head);
      return;
    }
    if (path.startsWith(SOCKET_IO_PATH)) return;
    // Node's HTTP server hands 'upgrade' a socket without an error listener,
    // so a reset by the client would otherwise be an uncaught error.
    socket.on('error', () => undefined);
    socket.end(
      `HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\nNo WebSocket endpoint at ${path.slice(0, 100)}; use ${WS_PATH} or Socket.IO.\n`,
    );
  }
}

/** Responds with 404 to plain HTTP requests on the streaming port that Socket.IO does not serve. */
function notFound(request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(404, { 'content-type': 'application/json' });
  response.end(
    JSON.stringify({
      code: 'NOT_FOUND',
      detail: `This port serves streams only: WebSocket at ${WS_PATH} and Socket.IO at ${SOCKET_IO_PATH}.`,
    }),
  );
}
