import { availableParallelism, totalmem } from 'node:os';
import {
  Injectable,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { ApiMetrics } from '../observability/metrics.js';

/** Seconds of request counts kept for the request rate. */
const RATE_WINDOW_S = 60;
/** Period of the timer whose lateness measures event loop delay (ms). */
const LAG_TICK_MS = 20;

/** The figures of the last sample, for readiness and the health overview. */
export interface ProcessFigures {
  /** Maximum event loop delay within the last sampled second, in ms. */
  eventLoopLagMs: number;
  /** CPU time of the process over the last second, in percent of all cores. */
  cpuPercent: number;
  /** Resident memory in percent of the container's limit, else of the machine's memory. */
  memoryPercent: number;
  /** Responses sent in the last 60 seconds, or since start in the first minute. */
  requestsPerMinute: number;
}

/**
 * Samples event loop delay, CPU, memory and the request count once a second
 * on unreferenced timers, so readiness reads figures without measuring.
 * The delay is how late a 20 ms timer fires. perf_hooks'
 * monitorEventLoopDelay is not used because resetting it each second loses
 * the delay of a block that ends just before the reset (seen on Node 20).
 */
@Injectable()
export class ProcessStats implements OnModuleInit, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;
  private lagTimer: NodeJS.Timeout | null = null;
  private lastTick = performance.now();
  private windowLagMs = 0;
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();
  private readonly responseCounts: number[] = [];
  private figures: ProcessFigures = {
    eventLoopLagMs: 0,
    cpuPercent: 0,
    memoryPercent: 0,
    requestsPerMinute: 0,
  };

  constructor(private readonly metrics: ApiMetrics) {}

  onModuleInit(): void {
    this.lastTick = performance.now();
    this.lagTimer = setInterval(() => this.tick(), LAG_TICK_MS);
    this.lagTimer.unref();
    this.responseCounts.push(this.metrics.requests.total);
    this.timer = setInterval(() => this.sample(), 1000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.lagTimer) clearInterval(this.lagTimer);
  }

  current(): ProcessFigures {
    const oldest = this.responseCounts[0] ?? 0;

    return {
      ...this.figures,
      memoryPercent: memoryPercent(),
      requestsPerMinute: this.metrics.requests.total - oldest,
    };
  }

  private tick(): void {
    const now = performance.now();
    this.windowLagMs = Math.max(this.windowLagMs, this.lateness(now));
    this.lastTick = now;
  }

  private lateness(now: number): number {
    return Math.max(0, now - this.lastTick - LAG_TICK_MS);
  }

  private sample(): void {
    const now = performance.now();
    const cpu = process.cpuUsage(this.lastCpu);
    const elapsedMicros = (now - this.lastAt) * 1000;
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;

    this.responseCounts.push(this.metrics.requests.total);
    if (this.responseCounts.length > RATE_WINDOW_S + 1)
      this.responseCounts.shift();

    // A block that just ended may not have reached tick() yet.
    const lagMs = Math.max(this.windowLagMs, this.lateness(now));
    this.windowLagMs = 0;
    this.figures = {
      eventLoopLagMs: Math.round(lagMs * 10) / 10,
      cpuPercent:
        elapsedMicros > 0
          ? round1(
              ((cpu.user + cpu.system) /
                elapsedMicros /
                availableParallelism()) *
                100,
            )
          : 0,
      memoryPercent: memoryPercent(),
      requestsPerMinute: 0,
    };
  }
}

/**
 * Resident memory against the smaller of the cgroup limit
 * (`process.constrainedMemory`, 0 or undefined without one) and the machine's.
 */
function memoryPercent(): number {
  const limit = Math.min(process.constrainedMemory?.() || Infinity, totalmem());

  return round1((process.memoryUsage.rss() / limit) * 100);
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
