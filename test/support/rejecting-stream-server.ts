import { createServer, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RejectingStreamServer {
  url: string;
  /** Path and query of every handshake the server rejected, in order. */
  handshakes: string[];
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on 127.0.0.1 that rejects every WebSocket handshake
 * with `status` and a JSON `body`, as a source does for an invalid key.
 */
export async function startRejectingStreamServer(
  status: number,
  body: string,
): Promise<RejectingStreamServer> {
  const handshakes: string[] = [];
  const server = createServer((_request, response) => {
    response.writeHead(404).end();
  });
  server.on('upgrade', (request, socket) => {
    handshakes.push(request.url ?? '/');
    // The client may reset the connection as soon as it reads the status.
    socket.on('error', () => {});
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
        'Content-Type: application/json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `ws://127.0.0.1:${port}`,
    handshakes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
