import { type INestApplication } from '@nestjs/common';
import { jsonClient, type JsonClient } from '@ledger/testing';
import { loadProjectorConfig } from '../../projector/src/config';
import { createProjectorApp } from '../../projector/src/projector.app';
import { loadLedgerConfig } from '../src/config';
import { createLedgerApp } from '../src/ledger.app';

/** A ledger and a projector in this process, with an API client holding the given key. */
export interface LedgerStack {
  ledger: INestApplication;
  projector: INestApplication;
  api: JsonClient;
  close(): Promise<void>;
}

export async function startLedgerStack(env: Record<string, string>, apiKey: string): Promise<LedgerStack> {
  const ledger = await createLedgerApp(loadLedgerConfig(env));
  let projector: INestApplication;
  try {
    projector = await createProjectorApp(loadProjectorConfig(env));
  } catch (error) {
    await ledger.close();
    throw error;
  }
  const api = jsonClient(await ledger.getUrl(), { authorization: `Bearer ${apiKey}` });
  return {
    ledger,
    projector,
    api,
    close: async () => {
      await projector.close();
      await ledger.close();
    },
  };
}
