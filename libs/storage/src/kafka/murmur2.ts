const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/**
 * Kafka's murmur2, the hash of the Java client's default partitioner, as a signed 32-bit integer. kafkajs
 * ships the same hash over a 64-bit Long emulation, which cost about 1.6 µs a key, a tenth of what a record
 * costs the whole client; 32-bit multiplication (Math.imul) gives the same bits.
 */
export function murmur2(bytes: Uint8Array): number {
  const length = bytes.length;
  const whole = length & ~3;
  let h = SEED ^ length;
  for (let i = 0; i < whole; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const rest = length & 3;
  if (rest === 3) h ^= bytes[whole + 2]! << 16;
  if (rest >= 2) h ^= bytes[whole + 1]! << 8;
  if (rest >= 1) h = Math.imul(h ^ bytes[whole]!, M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  return h ^ (h >>> 15);
}
