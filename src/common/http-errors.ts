import type { Socket } from 'node:net';
import type {
  ConnectionError,
  FastifyError,
  FastifyReply,
  FastifyRequest,
} from 'fastify';
import { apiSecurityHeaders } from '../security/security-headers.js';
import { buildProblem, PROBLEM_CONTENT_TYPE } from './problem.js';

/**
 * Answers errors Fastify raises before routing, such as a path with broken
 * percent-encoding, with a problem body instead of Fastify's own JSON.
 */
export function sendFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const detail =
    error.code === 'FST_ERR_BAD_URL'
      ? 'The URL is not valid percent-encoding; encode reserved characters, e.g. ^ as %5E.'
      : 'The request could not be read.';
  const problem = buildProblem('INVALID_PARAMETER', detail, request.id, {
    parameter: 'url',
  });

  // Fastify sends this reply without running the hooks that set these headers.
  void reply
    .headers(apiSecurityHeaders())
    .status(problem.status)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .header('x-request-id', request.id)
    .send(problem);
}

/**
 * Answers requests that Node's HTTP parser rejects (oversized headers, an
 * unknown method, malformed HTTP) with a problem body, then closes the
 * connection. No request id exists yet, so the instance is "unparsed".
 */
export function sendClientError(error: ConnectionError, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const problem = tooLarge
    ? buildProblem(
        'HEADERS_TOO_LARGE',
        'The request headers are larger than the server accepts; send fewer or shorter headers.',
        'unparsed',
      )
    : buildProblem(
        'INVALID_PARAMETER',
        'The request is not valid HTTP/1.1.',
        'unparsed',
        { parameter: 'request' },
      );
  const body = JSON.stringify(problem);
  const reason = tooLarge ? 'Request Header Fields Too Large' : 'Bad Request';

  socket.end(
    `HTTP/1.1 ${problem.status} ${reason}\r\n` +
      `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
