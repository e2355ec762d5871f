import { SetMetadata } from '@nestjs/common';
import { type TSchema } from '@sinclair/typebox';

export const RESPONSE_SCHEMAS = 'platform:response-schemas';
export const BODY_SCHEMA = 'platform:body-schema';

/** The schemas of a route's answers by status, for the OpenAPI document (the handler's return type should be their Static). */
export const ResponseSchemas = (schemas: Record<number, TSchema>) => SetMetadata(RESPONSE_SCHEMAS, schemas);

/**
 * The schema a route's body is validated with when a service, not a pipe, validates it (because it
 * reports problems its own way); routes with a TypeBoxValidationPipe need nothing: the pipe's schema is read.
 */
export const BodySchema = (schema: TSchema) => SetMetadata(BODY_SCHEMA, schema);
