import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { logForRequest } from '../observability/nest-logger.js';
import { ApiError } from './api.errors.js';
import type { ErrorCode } from './error-catalogue.js';
import { buildProblem, PROBLEM_CONTENT_TYPE, type Problem } from './problem.js';
import { contextOf } from './request-hooks.js';
import type { RouteMethods } from './route-methods.js';

/** Codes for HTTP errors raised by Nest or Fastify rather than by our code. */
const STATUS_CODES: Readonly<Record<number, ErrorCode>> = {
  400: 'INVALID_PARAMETER',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

/**
 * Renders every error as application/problem+json. Expected failures carry
 * their own code, and framework errors are mapped by status. Anything else is
 * a bug, so it is logged with its stack and returned as a bare 500.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemFilter.name);

  /** `routes` tells a path served under another method (405) from an unknown one (404). */
  constructor(private readonly routes?: RouteMethods) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const allowed = this.allowedMethods(exception, request);
    const problem = allowed
      ? buildProblem(
          'METHOD_NOT_ALLOWED',
          `${request.method} is not allowed on ${pathOf(request)}; use ${allowed.join(' or ')}.`,
          request.id,
        )
      : this.toProblem(exception, request);
    if (allowed) void reply.header('allow', allowed.join(', '));
    const retryAfter = problem.retryAfter;
    if (typeof retryAfter === 'number' && retryAfter >= 0) {
      void reply.header('retry-after', String(retryAfter));
    }

    void reply
      .status(problem.status)
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .send(problem);
  }

  /** Returns the methods of the path when a request missed only by method. */
  private allowedMethods(
    exception: unknown,
    request: FastifyRequest,
  ): string[] | null {
    if (
      statusOf(exception) !== 404 ||
      exception instanceof ApiError ||
      !this.routes
    )
      return null;
    const allowed = this.routes.allowed(pathOf(request));

    return allowed.length > 0 && !allowed.includes(request.method)
      ? allowed
      : null;
  }

  private toProblem(exception: unknown, request: FastifyRequest): Problem {
    const requestId = request.id;
    if (exception instanceof ApiError) {
      return buildProblem(
        exception.code,
        exception.detail,
        requestId,
        exception.extra,
      );
    }
    const status = statusOf(exception);
    const code = status === undefined ? undefined : STATUS_CODES[status];
    if (code) {
      return buildProblem(
        code,
        this.detailOf(code, exception, request),
        requestId,
      );
    }

    logForRequest(contextOf(request), () =>
      this.logger.error(
        `Unhandled error in ${request.method} ${request.url} (request ${requestId})`,
        exception instanceof Error ? exception.stack : String(exception),
      ),
    );
    return buildProblem(
      'INTERNAL_ERROR',
      `The request failed unexpectedly; quote request id ${requestId} when reporting it.`,
      requestId,
    );
  }

  private detailOf(
    code: ErrorCode,
    exception: unknown,
    request: FastifyRequest,
  ): string {
    const path = pathOf(request);
    if (code === 'NOT_FOUND') {
      return `No route matches ${request.method} ${path}; see /docs for the API.`;
    }
    if (code === 'METHOD_NOT_ALLOWED') {
      return `${request.method} is not allowed on ${path}.`;
    }
    if (code === 'UNSUPPORTED_MEDIA_TYPE') {
      return `The body's content type ${JSON.stringify(request.headers['content-type'] ?? '')} is not accepted; send application/json or application/x-www-form-urlencoded.`;
    }

    return messageOf(exception);
  }
}

function pathOf(request: FastifyRequest): string {
  return request.url.split('?')[0] ?? request.url;
}

function statusOf(exception: unknown): number | undefined {
  if (exception instanceof HttpException) return exception.getStatus();
  if (
    typeof exception === 'object' &&
    exception !== null &&
    'statusCode' in exception
  ) {
    const status = exception.statusCode;
    if (typeof status === 'number') return status;
  }

  return undefined;
}

function messageOf(exception: unknown): string {
  if (exception instanceof HttpException) {
    const response = exception.getResponse();
    if (
      typeof response === 'object' &&
      response !== null &&
      'message' in response
    ) {
      const message = response.message;
      return Array.isArray(message) ? message.join('; ') : String(message);
    }
  }

  return exception instanceof Error
    ? exception.message
    : 'The request is invalid.';
}
