import { Injectable } from '@nestjs/common';

/** The current time in epoch milliseconds; tests replace it to fix the clock. */
@Injectable()
export class Clock {
  now(): number {
    return Date.now();
  }
}
