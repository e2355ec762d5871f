import { DataSource, type DataSourceOptions } from 'typeorm';
import { withDeadline } from '@ledger/platform';
import { ensureDatabaseExists } from './ensure-database';
import { runMigrationsExclusively } from './run-migrations';

export interface OpenDataSourceOptions {
  createIfMissing: boolean;
  timeoutMs: number;
}

/** Connects to the read model's database (creating it in development) and brings its schema up to date. */
export async function openLedgerDataSource(options: DataSourceOptions & { url?: string }, open: OpenDataSourceOptions): Promise<DataSource> {
  const where = describeDatabase(options.url);
  try {
    if (open.createIfMissing && options.url) await withDeadline(ensureDatabaseExists(options.url, open.timeoutMs), open.timeoutMs * 2, `the database at ${where}`);
    const dataSource = new DataSource(options);
    await withDeadline(dataSource.initialize(), open.timeoutMs * 2, `the database at ${where}`);
    await runMigrationsExclusively(dataSource);
    return dataSource;
  } catch (error) {
    throw new Error(`cannot open the database at ${where}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** host:port/name without credentials, for messages. */
export function describeDatabase(url: string | undefined): string {
  if (!url) return '(no DATABASE_URL)';
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}
