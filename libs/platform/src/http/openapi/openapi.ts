import fastifySwagger from '@fastify/swagger';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Controller, Get, Header, Param, Res, type Type as Class } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type FastifyInstance, type FastifyReply } from 'fastify';
import { NotFoundError } from '../../errors/api-error';
import { PublicRoute } from '../public-route.decorator';
import { BEARER_SCHEME, type DocumentedRoute, documentedRoutes, type RouteAccess } from './nest-route-schemas';

export interface OpenApiOptions {
  title: string;
  version: string;
  description: string;
  /** Who may call a route, from its handler's and controller's metadata (the app's auth decides it). */
  accessOf: (handler: object, controller: Class) => RouteAccess;
  /**
   * Definitions the route schemas reference as `#/$defs/<name>` (a schema's own root, as the event schemas
   * hold them): in the document they live under components, and the references are pointed there.
   */
  definitions?: Record<string, unknown>;
}

const LOCAL_DEFINITIONS = '#/$defs/';
const COMPONENT_SCHEMAS = '#/components/schemas/';

function withComponentReferences(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withComponentReferences);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [
      key,
      key === '$ref' && typeof value === 'string' && value.startsWith(LOCAL_DEFINITIONS) ? COMPONENT_SCHEMAS + value.slice(LOCAL_DEFINITIONS.length) : withComponentReferences(value),
    ]),
  );
}

/**
 * Serves the app's OpenAPI 3.1 document (GET /openapi.json, OpenApiHttpController); DocsHttpController shows it at /docs.
 *
 * @fastify/swagger lays out the document from Fastify's routes; each route's schema comes from Nest's
 * metadata (documentedRoutes), handed over only in the document's transform. Fastify itself is given no
 * schema, so it neither validates a second time (the TypeBox pipes do) nor serialises differently, and the
 * plugin adds nothing to a request: it listens to route registrations and builds the document once, on the
 * first GET.
 * Call before the app listens, so the plugin sees Nest register its routes.
 */
export async function registerOpenApi(app: NestFastifyApplication, options: OpenApiOptions): Promise<void> {
  let routes: Map<string, DocumentedRoute> | undefined;
  const register = app.register.bind(app) as (plugin: unknown, options: unknown) => Promise<unknown>;
  await register(fastifySwagger, {
    // OpenAPI 3.1 schemas are JSON Schema: TypeBox's literals stay `const`.
    convertConstToEnum: false,
    openapi: {
      openapi: '3.1.0',
      info: { title: options.title, version: options.version, description: options.description },
      components: {
        securitySchemes: { [BEARER_SCHEME]: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer <key>`' } },
        schemas: options.definitions ?? {},
      },
    },
    transformObject: ({ openapiObject }: { openapiObject: unknown }) => withComponentReferences(openapiObject),
    transform: ({ schema, url, route }: { schema: unknown; url: string; route: { method: string | string[] } }) => {
      // Read on the first document request, once Nest has registered every route.
      routes ??= documentedRoutes(app, options.accessOf);
      const method = Array.isArray(route.method) ? route.method[0] : route.method;
      return { schema: routes.get(`${method} ${url}`) ?? schema, url };
    },
  });
}

/** GET /openapi.json, without a key. */
@Controller()
export class OpenApiHttpController {
  constructor(private readonly adapter: HttpAdapterHost) {}

  @Get('openapi.json')
  @PublicRoute()
  document(): unknown {
    return (this.adapter.httpAdapter.getInstance() as FastifyInstance).swagger();
  }
}

/** Swagger UI's own files, served from its package: the page needs no network beyond the ledger. */
const DOCS_ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
};

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>API</title><link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="docs"></div><script src="/docs/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({ url: '/openapi.json', dom_id: '#docs', validatorUrl: null });</script></body>
</html>
`;

/** GET /docs: the document rendered by Swagger UI, without a key. Each asset is read on its first request only. */
@Controller('docs')
@PublicRoute()
export class DocsHttpController {
  private readonly assets = new Map<string, Buffer>();

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  page(): string {
    return DOCS_PAGE;
  }

  @Get(':asset')
  asset(@Param('asset') name: string, @Res({ passthrough: true }) reply: FastifyReply): Buffer {
    const type = Object.hasOwn(DOCS_ASSETS, name) ? DOCS_ASSETS[name] : undefined;
    if (!type) throw new NotFoundError(`no documentation asset ${JSON.stringify(name.slice(0, 200))}`);
    let content = this.assets.get(name);
    if (!content) {
      content = readFileSync(join(swaggerUiDirectory(), name));
      this.assets.set(name, content);
    }
    void reply.header('content-type', type).header('cache-control', 'public, max-age=86400');
    return content;
  }
}

const swaggerUiDirectory = (): string => dirname(require.resolve('swagger-ui-dist/package.json'));
