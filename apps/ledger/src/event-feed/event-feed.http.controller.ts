import { Controller, Get, Param, Res } from '@nestjs/common';
import { type FastifyReply } from 'fastify';
import { PublicRoute } from '@ledger/platform';
import { EventFeedDocuments, type SchemaListing } from './event-feed.documents';

/** A published schema never changes (a new version gets a new file), so caches may keep it. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The listing and the AsyncAPI document change with a release or the deployment's settings. */
const FOR_AN_HOUR = 'public, max-age=3600';

/**
 * The event topic's public contract: the JSON Schema of every event version and the AsyncAPI document.
 * Served without a key (they hold nothing but the contract) and to any origin, so browser tools load them.
 */
@Controller('v1')
@PublicRoute()
export class EventFeedHttpController {
  constructor(private readonly documents: EventFeedDocuments) {}

  @Get('schemas')
  schemas(@Res({ passthrough: true }) reply: FastifyReply): SchemaListing {
    void reply.header('access-control-allow-origin', '*').header('cache-control', FOR_AN_HOUR);
    return this.documents.listing;
  }

  @Get('schemas/:file')
  schema(@Param('file') file: string, @Res({ passthrough: true }) reply: FastifyReply): Buffer {
    const bytes = this.documents.schemaFile(file);
    void reply.header('content-type', 'application/schema+json').header('access-control-allow-origin', '*').header('cache-control', IMMUTABLE);
    return bytes;
  }

  @Get('asyncapi.yaml')
  asyncApiYaml(@Res({ passthrough: true }) reply: FastifyReply): Buffer {
    void reply.header('content-type', 'application/yaml').header('access-control-allow-origin', '*').header('cache-control', FOR_AN_HOUR);
    return this.documents.asyncApiYaml;
  }

  @Get('asyncapi.json')
  asyncApiJson(@Res({ passthrough: true }) reply: FastifyReply): Buffer {
    void reply.header('content-type', 'application/json').header('access-control-allow-origin', '*').header('cache-control', FOR_AN_HOUR);
    return this.documents.asyncApiJson;
  }
}
