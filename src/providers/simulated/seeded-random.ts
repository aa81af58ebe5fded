/**
 * Small deterministic random numbers for the simulated source. Every stream
 * is keyed by a hash of its inputs (seed, symbol, day, purpose), so any value
 * can be recomputed alone, in any process and in any order.
 */

const GOLDEN_GAMMA = 0x9e3779b9;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const TWO_POW_MINUS_32 = 2 ** -32;

/**
 * Mixes the bits of a 32-bit integer so that nearby inputs give unrelated
 * outputs (the finalizer of MurmurHash3). Returns an unsigned integer.
 */
export function mix32(value: number): number {
  return mixSigned(value | 0) >>> 0;
}

/**
 * Runs `mix32` on signed 32-bit values, which V8 keeps as small integers
 * (an unsigned state above 2^31 would be boxed as a double on every draw).
 */
function mixSigned(value: number): number {
  let z = Math.imul(value ^ (value >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);

  return z ^ (z >>> 16);
}

/**
 * Hashes key parts to an unsigned 32-bit integer: FNV-1a over the UTF-16
 * code units of the parts joined by a separator, then `mix32`.
 */
export function hashKey(...parts: readonly (string | number)[]): number {
  const text = parts.join('\u001f');
  let hash = FNV_OFFSET;
  for (let i = 0; i < text.length; i += 1) {
    hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
  }

  return mix32(hash);
}

/**
 * A counter-based generator: the n-th output is `mix32` of the key plus n
 * times the golden ratio, as in SplitMix. Fast and good enough for prices,
 * not for cryptography.
 */
export class SeededRandom {
  private state: number;
  private spareNormal: number | null = null;

  constructor(key: number) {
    this.state = key | 0;
  }

  /** Creates the generator for a hash of the given key parts. */
  static of(...parts: readonly (string | number)[]): SeededRandom {
    return new SeededRandom(hashKey(...parts));
  }

  /** Returns a uniform number in the open interval (0, 1). */
  uniform(): number {
    this.state = (this.state + GOLDEN_GAMMA) | 0;

    return ((mixSigned(this.state) >>> 0) + 0.5) * TWO_POW_MINUS_32;
  }

  /**
   * Returns a standard normal number by Marsaglia's polar method, keeping
   * the second value of each pair for the next call.
   */
  normal(): number {
    if (this.spareNormal !== null) {
      const spare = this.spareNormal;
      this.spareNormal = null;

      return spare;
    }
    // Each try lands inside the unit circle with probability pi/4, so 64
    // tries all fail with probability below 1e-42.
    for (let attempt = 0; attempt < 64; attempt += 1) {
      const x = 2 * this.uniform() - 1;
      const y = 2 * this.uniform() - 1;
      const squared = x * x + y * y;
      if (squared >= 1 || squared === 0) continue;
      const scale = Math.sqrt((-2 * Math.log(squared)) / squared);
      this.spareNormal = y * scale;

      return x * scale;
    }

    return 0;
  }
}
