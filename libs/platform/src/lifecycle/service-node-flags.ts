/**
 * Node flags the services run with, wherever they are started (local stack, tests, benchmarks, image).
 *
 * `--max-semi-space-size=64`: a young generation of 64 MiB semi-spaces instead of V8's default 16. A gRPC
 * call allocates ~45 KB (Node's HTTP/2, grpc-js, Nest), so at 2,000 calls/s with the default every scavenge
 * paused the event loop for about 4 ms; with 64 MiB the ledger runs a third as many. The young generation
 * may then take up to about 190 MiB, and grows to it only when allocation is that fast.
 *
 * `--initial-old-space-size=256`: V8 then skips full collections while the old generation is below 256 MiB.
 * gRPC fills the old generation where HTTP does not: Node reclaims HTTP/2 streams only in full collections,
 * so whatever a finished call's stream still reaches is promoted with it, and Node's HTTP/2 hands every
 * received header value to V8 as an external string, whose memory full collections give back. At 2,000
 * evaluations/s the ledger promoted 1.6-2.8 MB/s (against 0.01-0.04 MB/s over HTTP) until it answered unary
 * calls without Nest's RxJS pipeline (UnaryAnswerGrpcServer), about 0.3 MB/s since; the figures that follow
 * were measured at the earlier rate, so full collections now come several times less often. With V8's
 * own limit (about 1.5x the ~37 MiB that stays live) a full collection came every 4-7 s and paused the
 * ledger 15-30 ms; over a 120 s run at 2,000 gRPC calls/s they paused it 470 ms in all, and the p99 was
 * 12.6 ms. With the floor the same run had one, the p99 was 9.2 ms and the pauses came to half the time;
 * but that one took 243 ms (in --trace-gc-nvp, 88 ms of a 227 ms pause was freeing the external strings and
 * 120 ms releasing emptied pages), so the slowest call waits longer (max 104 ms before, 365 ms with the
 * floor), and the process holds more memory (RSS about 480 MiB against 265). The memory reducer still
 * collects when the service goes idle. Operators who care more for the slowest call than for p99 and memory
 * can start the apps without this flag.
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64', '--initial-old-space-size=256'];
