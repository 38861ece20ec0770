// Jest global setup: starts shared services for the run (see test/helpers/README in mongodb work).
export default async function globalSetup(): Promise<void> {}
