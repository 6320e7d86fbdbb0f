import { startAzurite } from '../../src/devstorage/azurite';

/**
 * Starts one in-memory Azurite for the whole test run on free loopback ports.
 * Jest forks its workers after global setup, so they inherit the connection string from the environment.
 */
export default async function globalSetup(): Promise<void> {
  const azurite = await startAzurite();
  (globalThis as { __AZURITE__?: unknown }).__AZURITE__ = azurite;
  process.env.AZURITE_CONNECTION_STRING = azurite.connectionString;
}
