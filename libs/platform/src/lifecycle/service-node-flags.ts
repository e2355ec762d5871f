/**
 * Node flags the services run with, wherever they are started (local stack, tests, benchmarks, image).
 *
 * A young generation of 64 MiB semi-spaces instead of V8's default 16: each gRPC call leaves Node's HTTP/2
 * and grpc-js objects alive across a collection or two (clients send deadlines, and the call's objects
 * outlive their answer), so at 2,000 calls/s every scavenge copied and promoted about 1.5 MB, paused the
 * event loop for about 4 ms, and filled the old generation for 25 ms major collections. With 64 MiB the
 * ledger ran a third as many scavenges, and major collections came every 7–15 s instead of every few seconds;
 * on a 2-core machine the gRPC sticky-hit p99 at that rate is 7–10 ms in a window without a major collection
 * (8–28 ms with the default); one still pauses 40–55 ms (README, "gRPC tail latency").
 * The young generation may then take up to about 190 MiB, and grows to it only when allocation is that fast.
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
