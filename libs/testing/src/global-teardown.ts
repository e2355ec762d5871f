/** Stops only what global setup started, last started first. */
export default async function globalTeardown(): Promise<void> {
  const stoppers = globalThis.__ledgerTestStoppers ?? [];
  for (const stop of stoppers.reverse()) await stop();
  globalThis.__ledgerTestStoppers = [];
}
