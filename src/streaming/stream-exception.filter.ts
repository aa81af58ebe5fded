import {
  type ArgumentsHost,
  Catch,
  Logger,
  type WsExceptionFilter,
} from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import type { ErrorPayload } from './stream-messages.js';
import { StreamError } from './stream.errors.js';

/**
 * Sends a failed Socket.IO request's error as an `error` event with
 * `{ code, detail }`, in place of Nest's default `exception` event, so both
 * transports report errors alike.
 */
@Catch()
export class StreamExceptionFilter implements WsExceptionFilter {
  private readonly logger = new Logger('StreamGateway');

  catch(exception: unknown, host: ArgumentsHost): void {
    const socket = host.switchToWs().getClient<Socket>();
    socket.emit('error', this.payloadOf(exception, socket.id));
  }

  private payloadOf(exception: unknown, socketId: string): ErrorPayload {
    if (exception instanceof StreamError) return exception.toPayload();
    if (exception instanceof WsException) {
      const error = exception.getError();
      const detail = typeof error === 'string' ? error : JSON.stringify(error);
      return { code: 'INVALID_MESSAGE', detail };
    }
    this.logger.error(
      `Request of Socket.IO client ${socketId} failed: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`,
    );

    return {
      code: 'INTERNAL_ERROR',
      detail: 'the request failed unexpectedly; see the server log',
    };
  }
}
