import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { InvalidRequestError, NotFoundError, UnauthenticatedError } from '@ledger/platform';
import { ApiKeyEntity, boundedDatabaseCall } from '@ledger/storage';
import { type LedgerConfig } from '../config';
import { LEDGER_CONFIG } from '../ledger-config.token';
import { BOOTSTRAP_ADMIN_ID, mintApiKey, parseApiKey, type Principal, type Scope, secretMatches, sha256 } from './api-key';
import { decodeApiKeyCursor, encodeApiKeyCursor } from './api-key-list.cursor';
import { KEY_CREATIONS, RateLimit } from './rate-limit';

/** How long a looked-up key is trusted before it is read again: the bound on how late a revocation bites. */
const CACHE_TTL_MS = 10_000;

export interface ApiKeyView {
  id: string;
  name: string;
  scopes: Scope[];
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface ApiKeyPage {
  apiKeys: ApiKeyView[];
  /** Passed back as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

@Injectable()
export class ApiKeysService {
  private readonly cache = new Map<string, { entity: ApiKeyEntity | null; fetchedAt: number }>();
  private readonly bootstrapSha256: Buffer | undefined;
  private readonly keyCreations = new RateLimit(KEY_CREATIONS, 'this API key has created too many keys');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {
    this.bootstrapSha256 = config.adminKey ? sha256(config.adminKey) : undefined;
  }

  /** The principal behind a presented key; UnauthenticatedError for anything that is not a live key. */
  async authenticate(presented: string | undefined): Promise<Principal> {
    if (!presented) throw new UnauthenticatedError('send an API key as "Authorization: Bearer <key>"');
    if (this.bootstrapSha256 && secretMatches(presented, this.bootstrapSha256)) return { apiKeyId: BOOTSTRAP_ADMIN_ID, scopes: ['admin'] };
    const parsed = parseApiKey(presented);
    const entity = parsed ? await this.lookup(parsed.id) : null;
    if (!parsed || !entity || entity.revokedAt || !secretMatches(parsed.secret, entity.secretSha256)) {
      throw new UnauthenticatedError('the API key is not valid');
    }
    return { apiKeyId: entity.id, scopes: entity.scopes as Scope[] };
  }

  /** Limited per calling key, so that a leaked admin key cannot mint keys faster than anyone can revoke them. */
  async create(name: string, scopes: Scope[], createdBy: string): Promise<ApiKeyView & { key: string }> {
    this.keyCreations.take(createdBy);
    const minted = mintApiKey();
    const entity = await this.guard(() =>
      this.dataSource.getRepository(ApiKeyEntity).save({ id: minted.id, name, scopes, secretSha256: minted.secretSha256, createdBy, createdAt: new Date(), revokedAt: null }),
    );
    return { ...view(entity), key: minted.key };
  }

  /** Keys in creation order, a page at a time; revoked keys only when asked for. */
  async list(page: { limit: number; cursor?: string; includeRevoked: boolean }): Promise<ApiKeyPage> {
    const after = page.cursor === undefined ? undefined : decodeApiKeyCursor(page.cursor);
    if (page.cursor !== undefined && !after) throw new InvalidRequestError('the cursor is not one this API gave out');
    // Ordered on milliseconds, the precision a cursor carries, so that a row stored with microseconds is neither
    // skipped nor repeated. Key creation is rate-limited, so the table stays small enough to sort without an index.
    const createdAt = "date_trunc('milliseconds', api_key.createdAt)";
    const query = this.dataSource.getRepository(ApiKeyEntity).createQueryBuilder('api_key');
    if (!page.includeRevoked) query.andWhere('api_key.revokedAt IS NULL');
    if (after) query.andWhere(`(${createdAt}, api_key.id) > (:afterAt, :afterId)`, { afterAt: new Date(after.createdAtMs), afterId: after.id });
    query
      .orderBy(createdAt, 'ASC')
      .addOrderBy('api_key.id', 'ASC')
      .limit(page.limit + 1);
    const entities = await this.guard(() => query.getMany());
    const shown = entities.slice(0, page.limit);
    const last = shown.at(-1);
    return {
      apiKeys: shown.map(view),
      nextCursor: entities.length > page.limit && last ? encodeApiKeyCursor({ createdAtMs: last.createdAt.getTime(), id: last.id }) : null,
    };
  }

  async revoke(id: string): Promise<ApiKeyView> {
    const repository = this.dataSource.getRepository(ApiKeyEntity);
    const entity = await this.guard(() => repository.findOneBy({ id }));
    if (!entity) throw new NotFoundError(`no API key ${id}`);
    if (!entity.revokedAt) {
      entity.revokedAt = new Date();
      await this.guard(() => repository.save(entity));
    }
    this.cache.delete(id);
    return view(entity);
  }

  private async lookup(id: string): Promise<ApiKeyEntity | null> {
    const cached = this.cache.get(id);
    if (cached && Date.now() - cached.fetchedAt < CACHE_TTL_MS) return cached.entity;
    const entity = await this.guard(() => this.dataSource.getRepository(ApiKeyEntity).findOneBy({ id }));
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(id, { entity, fetchedAt: Date.now() });
    return entity;
  }

  private guard<T>(work: () => Promise<T>): Promise<T> {
    return boundedDatabaseCall(work, this.config.dependencyTimeoutMs, 'API keys cannot be checked');
  }
}

function view(entity: ApiKeyEntity): ApiKeyView {
  return {
    id: entity.id,
    name: entity.name,
    scopes: entity.scopes as Scope[],
    createdBy: entity.createdBy,
    createdAt: entity.createdAt.toISOString(),
    revokedAt: entity.revokedAt ? entity.revokedAt.toISOString() : null,
  };
}
