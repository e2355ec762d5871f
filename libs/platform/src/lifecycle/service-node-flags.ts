/**
 * Node flags the services run with, wherever they are started (local stack, tests, benchmarks, image).
 *
 * A young generation of 64 MiB semi-spaces instead of V8's default 16: each gRPC call leaves Node's HTTP/2
 * and grpc-js objects alive across a collection or two, so at 2,000 calls/s every scavenge copied and
 * promoted up to 1.5 MB, paused the event loop for about 4 ms, and filled the old generation for major
 * collections. With 64 MiB the ledger ran a third as many scavenges for the same load; on a 2-core machine the
 * gRPC sticky-hit p99 at that rate is 7–10 ms in a window without a major collection (8–28 ms with the
 * default), while a major collection, every 7–15 s, still pauses 40–55 ms (README, "gRPC tail latency").
 * The young generation may then take up to about 190 MiB, and grows to it only when allocation is that fast.
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
