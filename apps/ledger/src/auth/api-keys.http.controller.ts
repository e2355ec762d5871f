import { Body, Controller, Delete, Get, Param, Post } from '@nestjs/common';
import { type Static, Type } from '@sinclair/typebox';
import { TypeBoxValidationPipe } from '@ledger/platform';
import { type Principal, SCOPES } from './api-key';
import { type ApiKeyView, ApiKeysService } from './api-keys.service';
import { Caller } from './caller.decorator';
import { RequireScopes } from './require-scopes.decorator';

const CreateApiKeyBodySchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    scopes: Type.Array(Type.Union(SCOPES.map((scope) => Type.Literal(scope))), { minItems: 1, uniqueItems: true }),
  },
  { additionalProperties: false },
);
type CreateApiKeyBody = Static<typeof CreateApiKeyBodySchema>;

/** Admins create, list and revoke API keys; a new key's secret is in the creation response only. */
@Controller('v1/api-keys')
@RequireScopes('admin')
export class ApiKeysHttpController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  create(@Body(new TypeBoxValidationPipe(CreateApiKeyBodySchema, 'API key')) body: CreateApiKeyBody, @Caller() caller: Principal): Promise<ApiKeyView & { key: string }> {
    return this.apiKeys.create(body.name, body.scopes, caller.apiKeyId);
  }

  @Get()
  async list(): Promise<{ apiKeys: ApiKeyView[] }> {
    return { apiKeys: await this.apiKeys.list() };
  }

  @Delete(':id')
  revoke(@Param('id') id: string): Promise<ApiKeyView> {
    return this.apiKeys.revoke(id);
  }
}
