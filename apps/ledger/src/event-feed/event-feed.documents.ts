import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Admin } from 'kafkajs';
import { feedAsyncApiDocument, feedAsyncApiYaml, PUBLISHED_SCHEMAS, PUBLISHED_SCHEMAS_DIR, schemaUrlPath } from '@ledger/events';
import { withDeadline } from '@ledger/platform';
import { type LedgerConfig } from '../config';
import { UnknownSchemaError } from '../errors/ledger-errors';

export interface SchemaListing {
  schemas: Array<{ name: string; type: string; version: number; id: string; url: string; current: boolean; description: string }>;
  asyncapi: { yaml: string; json: string };
}

/**
 * The feed's public contract, made once at boot and then served as it is: the published schema files as
 * they are on disk, and the AsyncAPI document of this deployment's topic (its name, partitions and
 * replicas as the broker reports them, and its CloudEvents source).
 */
export class EventFeedDocuments {
  private constructor(
    readonly listing: SchemaListing,
    private readonly schemaFiles: ReadonlyMap<string, Buffer>,
    readonly asyncApiJson: Buffer,
    readonly asyncApiYaml: Buffer,
  ) {}

  static async build(config: LedgerConfig, admin: Admin, topic: string): Promise<EventFeedDocuments> {
    const metadata = await withDeadline(admin.fetchTopicMetadata({ topics: [topic] }), config.dependencyTimeoutMs * 5, 'the Kafka broker');
    const partitions = metadata.topics[0]?.partitions ?? [];
    const document = feedAsyncApiDocument({
      topic,
      partitions: partitions.length || config.kafka.partitions,
      ...(partitions[0] ? { replicas: partitions[0].replicas.length } : {}),
      source: config.eventSource,
    });
    const listing: SchemaListing = {
      schemas: PUBLISHED_SCHEMAS.map(({ name, type, version, id, file, current, description }) => ({ name, type, version, id, url: schemaUrlPath(file), current, description })),
      asyncapi: { yaml: '/v1/asyncapi.yaml', json: '/v1/asyncapi.json' },
    };
    const files = new Map(PUBLISHED_SCHEMAS.map(({ file }) => [file, readFileSync(join(PUBLISHED_SCHEMAS_DIR, file))]));
    return new EventFeedDocuments(listing, files, Buffer.from(`${JSON.stringify(document, null, 2)}\n`), Buffer.from(feedAsyncApiYaml(document)));
  }

  schemaFile(file: string): Buffer {
    const bytes = this.schemaFiles.get(file);
    if (!bytes) throw new UnknownSchemaError(file);
    return bytes;
  }
}
