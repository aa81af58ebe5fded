import { readFileSync } from 'node:fs';
import { testDataPath } from './test-data.js';

/** One frame of a recorded WebSocket session. */
export interface CapturedFrame {
  direction: 'received' | 'sent';
  /** Epoch seconds of the frame, as recorded. */
  at: number;
  frame: string;
}

/**
 * Reads a WebSocket capture in cryptofeed's raw format under the test data's
 * `fixtures/`: the first line names the URL, lines `<url> <- <epoch>: <frame>`
 * are frames the client sent, and lines `<epoch>: <frame>` frames it received.
 */
export function readCapture(relativePath: string): CapturedFrame[] {
  const lines = readFileSync(
    testDataPath('fixtures', relativePath),
    'utf8',
  ).split('\n');

  return lines.flatMap((line): CapturedFrame[] => {
    const sent = /^\S+ <- (\d+(?:\.\d+)?): (.*)$/.exec(line);
    if (sent)
      return [{ direction: 'sent', at: Number(sent[1]), frame: sent[2] ?? '' }];
    const received = /^(\d+(?:\.\d+)?): (.*)$/.exec(line);
    if (received)
      return [
        {
          direction: 'received',
          at: Number(received[1]),
          frame: received[2] ?? '',
        },
      ];

    return [];
  });
}
