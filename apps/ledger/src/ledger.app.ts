import { type INestApplication } from '@nestjs/common';
import { createHttpApp } from '@ledger/platform';
import { type LedgerConfig } from './config';
import { HttpErrorFilter } from './errors/http-error.filter';
import { LedgerModule } from './ledger.module';

export function createLedgerApp(config: LedgerConfig): Promise<INestApplication> {
  return createHttpApp(LedgerModule.forRoot(config), { ...config.http, errorFilter: new HttpErrorFilter() });
}
