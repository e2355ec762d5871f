import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { type Static, Type } from '@sinclair/typebox';
import { SafeString } from '@ledger/events';
import { NotFoundError, TypeBoxValidationPipe } from '@ledger/platform';
import { API_KEY_ID_PATTERN, type Principal, SCOPES } from './api-key';
import { type ApiKeyPage, type ApiKeyView, ApiKeysService } from './api-keys.service';
import { Caller } from './caller.decorator';
import { RequireScopes } from './require-scopes.decorator';

const CreateApiKeyBodySchema = Type.Object(
  {
    name: SafeString({ minLength: 1, maxLength: 200 }),
    scopes: Type.Array(Type.Union(SCOPES.map((scope) => Type.Literal(scope))), { minItems: 1, uniqueItems: true }),
  },
  { additionalProperties: false },
);
type CreateApiKeyBody = Static<typeof CreateApiKeyBodySchema>;

const DEFAULT_PAGE_SIZE = 100;
const ListApiKeysQuerySchema = Type.Object(
  {
    // Query values arrive as strings: 1 to 500, without leading zeros.
    limit: Type.Optional(Type.String({ pattern: '^(?:[1-9][0-9]?|[1-4][0-9]{2}|500)$' })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    includeRevoked: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
  },
  { additionalProperties: false },
);
type ListApiKeysQuery = Static<typeof ListApiKeysQuerySchema>;

const createPipe = new TypeBoxValidationPipe(CreateApiKeyBodySchema, 'API key');
const listQueryPipe = new TypeBoxValidationPipe(ListApiKeysQuerySchema, 'query');
// An id that cannot name a key names none: 404, as for a well-formed id that is not there.
const idPipe = new TypeBoxValidationPipe(Type.String({ pattern: API_KEY_ID_PATTERN }), 'API key id', () => new NotFoundError('no such API key'));

/** Admins create, list and revoke API keys; a new key's secret is in the creation response only. */
@Controller('v1/api-keys')
@RequireScopes('admin')
export class ApiKeysHttpController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  create(@Body(createPipe) body: CreateApiKeyBody, @Caller() caller: Principal): Promise<ApiKeyView & { key: string }> {
    return this.apiKeys.create(body.name, body.scopes, caller.apiKeyId);
  }

  @Get()
  list(@Query(listQueryPipe) query: ListApiKeysQuery): Promise<ApiKeyPage> {
    return this.apiKeys.list({
      limit: query.limit === undefined ? DEFAULT_PAGE_SIZE : Number(query.limit),
      cursor: query.cursor,
      includeRevoked: query.includeRevoked === 'true',
    });
  }

  @Delete(':id')
  revoke(@Param('id', idPipe) id: string): Promise<ApiKeyView> {
    return this.apiKeys.revoke(id);
  }
}
