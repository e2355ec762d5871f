/**
 * Node flags the services run with, wherever they are started (local stack, tests, benchmarks, image).
 *
 * `--max-semi-space-size=64`: a young generation of 64 MiB semi-spaces instead of V8's default 16. Each gRPC
 * call leaves Node's HTTP/2 and grpc-js objects alive across a collection or two, so at 2,000 calls/s with
 * the default every scavenge paused the event loop for about 4 ms; with 64 MiB the ledger runs a third as
 * many. The young generation may then take up to about 190 MiB, and grows to it only when allocation is
 * that fast.
 *
 * `--initial-old-space-size=256`: V8 then skips full collections while the old generation is below 256 MiB.
 * Some of each gRPC call's objects still reach the old generation (1.6-2.8 MB/s at 2,000 calls/s; over HTTP,
 * 0.01-0.04 MB/s), and with V8's own limit (about 1.5x the ~37 MiB that stays live) a full collection came
 * every 4-7 s and paused the ledger 15-90 ms, and the sticky-hit p99 of a 15 s window was 14-30 ms when
 * one fell in it; with the floor none came in 170 s at that rate (p99 5.2-7.8 ms in six windows), and
 * V8's memory reducer still collects when the service goes idle. The cost is memory: up to 256 MiB of old
 * generation, mostly garbage, before the first full collection.
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64', '--initial-old-space-size=256'];
