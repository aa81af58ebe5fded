import { Injectable, Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '../config/app-config.js';

/** Time after REQUEST_DEADLINE that requests in flight get before their connections are cut (ms). */
const FLIGHT_MARGIN_MS = 2000;
/** How often idle keep-alive connections are closed while requests finish (ms). */
const IDLE_SWEEP_MS = 100;

/** Whether this instance is shutting down; readiness fails from then on. */
@Injectable()
export class ShutdownState {
  private startedAt: number | null = null;

  get shuttingDown(): boolean {
    return this.startedAt !== null;
  }

  /** Epoch ms at which the shutdown began, or null. */
  get since(): number | null {
    return this.startedAt;
  }

  begin(): void {
    this.startedAt ??= Date.now();
  }
}

/**
 * Shuts the application down in the order load balancers need:
 *
 * 1. readiness returns 503 while requests are still served, for
 *    SHUTDOWN_DRAIN_DELAY (a call to `skipDrain` ends the wait early);
 * 2. `app.close()` stops accepting connections, sends streaming clients a
 *    `going_away` status and lets requests in flight finish, at
 *    most REQUEST_DEADLINE plus two seconds, after which their connections
 *    are cut;
 * 3. the shutdown hooks close Redis, the upstream connections and streams.
 *
 * Resolves with the exit code: 0, or 1 when closing failed.
 */
export class GracefulShutdown {
  private readonly logger = new Logger('Shutdown');
  private endDrain: (() => void) | null = null;
  private running: Promise<number> | null = null;

  constructor(private readonly app: NestFastifyApplication) {}

  run(signal: string): Promise<number> {
    this.running ??= this.shutDown(signal);

    return this.running;
  }

  /** Ends the drain delay at once, for a second signal. */
  skipDrain(): void {
    this.endDrain?.();
  }

  private async shutDown(signal: string): Promise<number> {
    const config = this.app.get(AppConfig);
    this.app.get(ShutdownState).begin();
    const drainMs = config.health.shutdownDrainDelayMs;
    this.logger.log(
      `${signal} received: readiness returns 503 from now on; the listener closes in ${drainMs / 1000} s (SHUTDOWN_DRAIN_DELAY)`,
    );
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, drainMs);
      this.endDrain = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.endDrain = null;

    const boundMs = config.upstream.deadlineMs + FLIGHT_MARGIN_MS;
    this.logger.log(
      `Closing the listener; requests in flight get up to ${boundMs / 1000} s to finish`,
    );
    const server = this.app.getHttpServer();
    // Connections whose last request finished would otherwise stay open
    // until Fastify's keep-alive timeout (72 s) and hold the close back.
    const sweep = setInterval(
      () => server.closeIdleConnections(),
      IDLE_SWEEP_MS,
    );
    const cut = setTimeout(() => {
      this.logger.warn(
        `Requests still in flight after ${boundMs / 1000} s; closing their connections`,
      );
      server.closeAllConnections();
    }, boundMs);
    try {
      await this.app.close();
      this.logger.log('Shutdown complete');
      return 0;
    } catch (error) {
      this.logger.error(
        `Shutdown failed: ${error instanceof Error ? error.message : String(error)}`,
        error instanceof Error ? error.stack : undefined,
      );
      return 1;
    } finally {
      clearInterval(sweep);
      clearTimeout(cut);
    }
  }
}
