import 'reflect-metadata';
import { bootstrapService } from '@ledger/platform';
import { loadLedgerConfig } from './config';
import { createLedgerApp } from './ledger.app';

void bootstrapService({
  name: 'ledger',
  loadConfig: loadLedgerConfig,
  start: createLedgerApp,
  alsoListening: (config) => `gRPC on ${config.grpc.host}:${config.grpc.port}`,
});
