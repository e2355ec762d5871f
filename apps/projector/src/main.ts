import 'reflect-metadata';
import { bootstrapService } from '@ledger/platform';
import { loadProjectorConfig } from './config';
import { createProjectorApp } from './projector.app';

void bootstrapService({ name: 'projector', loadConfig: loadProjectorConfig, start: createProjectorApp });
