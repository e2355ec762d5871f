import { join } from 'node:path';
import { feedAsyncApiDocument, feedAsyncApiYaml } from '../../libs/events/src/asyncapi.document';
import { defaultEventSource } from '../../libs/events/src/event-headers';
import { CommonEnvSchema } from '../../libs/platform/src/config/common-config.schema';

/** The document as kept in the repository: for a deployment with the default topic, partitions and source. */
export const ASYNCAPI_FILE = join(__dirname, '..', '..', 'libs', 'events', 'asyncapi.yaml');

export function defaultFeedDocument(): Record<string, unknown> {
  const topic = CommonEnvSchema.LEDGER_TOPIC.default as string;
  return feedAsyncApiDocument({ topic, partitions: CommonEnvSchema.LEDGER_TOPIC_PARTITIONS.default as number, source: defaultEventSource(topic) });
}

export const defaultFeedYaml = (): string => feedAsyncApiYaml(defaultFeedDocument());
