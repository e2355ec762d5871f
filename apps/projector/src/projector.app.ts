import { type INestApplication } from '@nestjs/common';
import { createHttpApp } from '@ledger/platform';
import { type ProjectorConfig } from './config';
import { ProjectorModule } from './projector.module';

/** The projector serves only its health endpoints over HTTP; its work is consuming the topic. */
export function createProjectorApp(config: ProjectorConfig): Promise<INestApplication> {
  return createHttpApp(ProjectorModule.forRoot(config), config.http);
}
