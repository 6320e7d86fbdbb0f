/** The connection string of the Azurite that global setup started; tests that touch storage use it. */
export function azuriteConnectionString(): string {
  const value = process.env.AZURITE_CONNECTION_STRING;
  if (value === undefined || value === '') {
    throw new Error(
      'AZURITE_CONNECTION_STRING is not set: run the tests through jest so global setup starts Azurite.',
    );
  }
  return value;
}
