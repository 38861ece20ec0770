/** Jest global teardown: stops the FerretDB that global-setup.ts started, if any. */
import type { FerretDb } from './ferretdb.ts';

declare global {
  var __portcullisFerretDb: FerretDb | undefined;
}

export default async function globalTeardown(): Promise<void> {
  const server = globalThis.__portcullisFerretDb;
  globalThis.__portcullisFerretDb = undefined;
  await server?.destroy();
}
