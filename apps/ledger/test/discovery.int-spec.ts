import { join } from 'node:path';
import { type ClientDuplexStream, credentials, loadPackageDefinition, type ServiceError, status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { type INestApplication } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { compileErrors, validate } from '@readme/openapi-parser';
import { protoPath as HEALTH_PROTO } from 'grpc-health-check';
import { createTestEnvironment, jsonClient, type TestEnvironment } from '@ledger/testing';
import { EvaluateBodySchema } from '../src/evaluation/evaluation.dto';
import { loadLedgerConfig } from '../src/config';
import { createLedgerApp, LEDGER_GRPC_SERVICES } from '../src/ledger.app';
import { OfrepEvaluationSuccessSchema } from '../src/ofrep/ofrep.dto';

/**
 * Every route Fastify serves, read from its router's own listing (one line per node, a child indented
 * four characters under its parent, methods in brackets): not from the Nest metadata the document is built from.
 */
function servedRoutes(app: INestApplication): Array<{ method: string; path: string }> {
  const listing = (app as NestFastifyApplication).getHttpAdapter().getInstance().printRoutes({ commonPrefix: false });
  const parents: string[] = [];
  const routes: Array<{ method: string; path: string }> = [];
  for (const line of listing.split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+)(?: \(([^)]+)\))?$/u.exec(line.trimEnd());
    if (!match) continue;
    const depth = match[1]!.length / 4;
    parents.length = depth;
    const path = `${parents.join('')}${match[2]}`;
    parents.push(match[2]!);
    for (const method of match[3]?.split(', ') ?? []) routes.push({ method, path });
  }
  return routes;
}

const openApiPath = (path: string): string => path.replace(/:([A-Za-z]+)/g, '{$1}');
/** A schema as the document shows it: @fastify/swagger writes TypeBox's Record (`patternProperties` matching any key) as `additionalProperties`. */
const asDocumented = (schema: unknown): unknown =>
  JSON.parse(JSON.stringify(schema), (_key, value: Record<string, unknown>) => {
    const anyKey = value?.patternProperties as Record<string, unknown> | undefined;
    if (!anyKey || Object.keys(anyKey).join() !== '^(.*)$') return value;
    const { patternProperties: _replaced, ...rest } = value;
    return { ...rest, additionalProperties: anyKey['^(.*)$'] };
  });

describe('discovery: the OpenAPI document, gRPC reflection and gRPC health', () => {
  let environment: TestEnvironment;
  let ledger: INestApplication;
  let baseUrl: string;
  let document: any;
  const grpcAddress = () => `127.0.0.1:${environment.env.GRPC_PORT}`;

  beforeAll(async () => {
    environment = await createTestEnvironment('discovery');
    ledger = await createLedgerApp(loadLedgerConfig(environment.env));
    baseUrl = await ledger.getUrl();
    document = (await jsonClient(baseUrl).get('/openapi.json')).body;
  });

  afterAll(async () => {
    await ledger?.close();
    await environment?.cleanup();
  });

  it('serves a valid OpenAPI 3.1 document without a key', async () => {
    expect(document.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(document));
    expect(result.valid ? 'valid' : compileErrors(result)).toBe('valid');
  });

  it('documents every route the app serves, with the schemas its validation uses', () => {
    const served = servedRoutes(ledger).filter((route) => route.method !== 'HEAD');
    expect(served.length).toBeGreaterThan(20);
    const missing = served.filter((route) => document.paths[openApiPath(route.path)]?.[route.method.toLowerCase()] === undefined);
    expect(missing).toEqual([]);
    const documented = Object.values(document.paths).flatMap((methods: any) => Object.keys(methods));
    expect(documented).toHaveLength(served.length);

    const evaluate = document.paths['/v1/experiments/{name}/evaluate'].post;
    expect(evaluate.requestBody.content['application/json'].schema).toEqual(asDocumented(EvaluateBodySchema));
    expect(evaluate.security).toEqual([{ bearerAuth: ['evaluate'] }]);
    expect(evaluate.responses['403'].content['application/json'].schema.properties.error.required).toEqual(['code', 'message']);
    const ofrep = document.paths['/ofrep/v1/evaluate/flags/{key}'].post;
    expect(ofrep.responses['200'].content['application/json'].schema).toEqual(asDocumented(OfrepEvaluationSuccessSchema));
    expect(ofrep.responses['404'].content['application/json'].schema.properties.errorCode).toBeDefined();
    expect(document.paths['/v1/api-keys'].post.security).toEqual([{ bearerAuth: ['admin'] }]);
    for (const open of ['/health/ready', '/openapi.json', '/docs', '/v1/schemas']) expect(document.paths[open].get.security).toEqual([]);
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('renders the document at /docs without a key', async () => {
    const page = await fetch(`${baseUrl}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('/openapi.json');
    const script = await fetch(`${baseUrl}/docs/swagger-ui-bundle.js`);
    expect({ status: script.status, type: script.headers.get('content-type') }).toEqual({ status: 200, type: 'application/javascript; charset=utf-8' });
    expect((await script.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
    expect((await fetch(`${baseUrl}/docs/package.json`)).status).toBe(404);
  });

  it('lists its gRPC services through server reflection', async () => {
    const reflectionProto = join(require.resolve('@grpc/reflection/package.json'), '..', 'build', 'proto', 'grpc', 'reflection', 'v1', 'reflection.proto');
    const pkg = loadPackageDefinition(loadSync(reflectionProto, { keepCase: true })) as any;
    const client = new pkg.grpc.reflection.v1.ServerReflection(grpcAddress(), credentials.createInsecure());
    const ask = (request: object) =>
      new Promise<any>((resolve, reject) => {
        const call: ClientDuplexStream<object, any> = client.ServerReflectionInfo();
        call.on('data', (answer: unknown) => {
          resolve(answer);
          call.end();
        });
        call.on('error', reject);
        call.write(request);
      });
    try {
      const listed = await ask({ list_services: '' });
      const names = (listed.list_services_response.service as Array<{ name: string }>).map((service) => service.name);
      expect(names).toEqual(expect.arrayContaining([...LEDGER_GRPC_SERVICES, 'grpc.health.v1.Health']));
      const described = await ask({ file_containing_symbol: 'assignment_ledger.v1.Evaluation' });
      expect(described.file_descriptor_response.file_descriptor_proto.length).toBeGreaterThan(0);
    } finally {
      client.close();
    }
  });

  it('answers grpc.health.v1 Check and Watch from the readiness probes', async () => {
    const pkg = loadPackageDefinition(loadSync(HEALTH_PROTO, { keepCase: true, enums: String })) as any;
    const client = new pkg.grpc.health.v1.Health(grpcAddress(), credentials.createInsecure());
    const check = (service: string) =>
      new Promise<{ status?: string; code?: number }>((resolve) =>
        client.Check({ service }, (error: ServiceError | null, answer: { status: string }) => resolve(error ? { code: error.code } : answer)),
      );
    try {
      expect(await check('')).toEqual({ status: 'SERVING' });
      expect(await check('assignment_ledger.v1.Evaluation')).toEqual({ status: 'SERVING' });
      expect(await check('no.such.Service')).toEqual({ code: status.NOT_FOUND });
      const watch = client.Watch({ service: '' });
      const first = await new Promise<{ status: string }>((resolve, reject) => {
        watch.on('data', resolve);
        watch.on('error', reject);
      });
      watch.cancel();
      expect(first).toEqual({ status: 'SERVING' });
    } finally {
      client.close();
    }
  });
});
