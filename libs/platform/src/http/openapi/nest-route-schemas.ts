import { type INestApplication, RequestMethod, type Type as Class } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import { type TSchema, Type } from '@sinclair/typebox';
import { ErrorBodySchema } from '../../errors/api-error';
import { TypeBoxValidationPipe } from '../typebox-validation.pipe';
import { BODY_SCHEMA, RESPONSE_SCHEMAS } from './route-docs.decorator';

/** Who may call a route: anyone, or a bearer key with these scopes. */
export type RouteAccess = { public: true } | { public: false; scopes: string[] };

/** A route's schema in the shape @fastify/swagger reads from route options. */
export interface DocumentedRoute {
  operationId: string;
  tags: string[];
  security: Array<Record<string, string[]>>;
  description?: string;
  params?: TSchema;
  querystring?: TSchema;
  body?: TSchema;
  response: Record<string, TSchema | { description: string }>;
}

export const BEARER_SCHEME = 'bearerAuth';

interface RouteArgument {
  index: number;
  data?: string;
  pipes?: unknown[];
}

/**
 * Every HTTP route of a Nest app, keyed `METHOD /path` as Fastify registers it, with the very schema objects
 * its TypeBoxValidationPipes validate with (and those named by @BodySchema / @ResponseSchemas), so the
 * document cannot drift from what the routes accept. Read from Nest's metadata once the app is initialised.
 */
export function documentedRoutes(app: INestApplication, accessOf: (handler: object, controller: Class) => RouteAccess): Map<string, DocumentedRoute> {
  const routes = new Map<string, DocumentedRoute>();
  const scanner = new MetadataScanner();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Class | null;
      if (!controller || typeof controller !== 'function') continue;
      const basePaths = pathsOf(Reflect.getMetadata(PATH_METADATA, controller));
      for (const methodName of scanner.getAllMethodNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, object>)[methodName]!;
        const requestMethod = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        const ownPath = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        if (requestMethod === undefined || ownPath === undefined) continue;
        const method = RequestMethod[requestMethod];
        const route = describeRoute(controller, methodName, handler, method, accessOf(handler, controller));
        for (const base of basePaths) for (const path of pathsOf(ownPath)) routes.set(`${method} ${joinPath(base, path)}`, route);
      }
    }
  }
  return routes;
}

function describeRoute(controller: Class, methodName: string, handler: object, method: string, access: RouteAccess): DocumentedRoute {
  const args = Object.entries((Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, methodName) ?? {}) as Record<string, RouteArgument>);
  const params: Record<string, TSchema> = {};
  const query: Record<string, TSchema> = {};
  let wholeParams: TSchema | undefined;
  let wholeQuery: TSchema | undefined;
  let body = Reflect.getMetadata(BODY_SCHEMA, handler) as TSchema | undefined;
  for (const [key, argument] of args) {
    const type = Number(key.split(':')[0]);
    const schema = argument.pipes?.find((pipe): pipe is TypeBoxValidationPipe<TSchema> => pipe instanceof TypeBoxValidationPipe)?.schema;
    if (type === RouteParamtypes.PARAM) {
      if (argument.data) params[argument.data] = schema ?? Type.String();
      else wholeParams = schema;
    } else if (type === RouteParamtypes.QUERY) {
      if (argument.data) query[argument.data] = schema ?? Type.String();
      else wholeQuery = schema;
    } else if (type === RouteParamtypes.BODY && schema) {
      body = schema;
    }
  }
  const status = (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ?? (method === 'POST' ? 201 : 200);
  const declared = (Reflect.getMetadata(RESPONSE_SCHEMAS, handler) ?? {}) as Record<number, TSchema>;
  const takesInput = body !== undefined || wholeParams !== undefined || wholeQuery !== undefined || Object.keys(params).length > 0 || Object.keys(query).length > 0;
  const errorStatuses = [...(takesInput ? [400] : []), ...(access.public ? [] : [401, 403, 429, 503])];
  const errors: Record<number, TSchema> = Object.fromEntries(errorStatuses.map((code) => [code, ErrorBodySchema]));
  const response: DocumentedRoute['response'] = { [status]: { description: 'Success (the README describes the body)' } };
  for (const [code, schema] of Object.entries({ ...errors, ...declared })) response[code] = schema;
  const name = controller.name.replace(/HttpController$|Controller$/, '');
  return {
    operationId: `${name.charAt(0).toLowerCase()}${name.slice(1)}.${methodName}`,
    tags: [name],
    security: access.public ? [] : [{ [BEARER_SCHEME]: access.scopes }],
    ...(access.public ? {} : { description: `Needs a key with the scope ${access.scopes.join(' and ')} (or admin).` }),
    ...(wholeParams || Object.keys(params).length > 0 ? { params: wholeParams ?? Type.Object(params) } : {}),
    ...(wholeQuery || Object.keys(query).length > 0 ? { querystring: wholeQuery ?? Type.Object(query) } : {}),
    ...(body ? { body } : {}),
    response,
  };
}

function pathsOf(path: string | string[] | undefined): string[] {
  return path === undefined ? [''] : Array.isArray(path) ? path : [path];
}

/** As Nest joins a controller's path and a handler's: one leading slash, no trailing one. */
function joinPath(base: string, path: string): string {
  const joined = `/${base}/${path}`.replace(/\/+/g, '/');
  return joined.length > 1 ? joined.replace(/\/$/, '') : joined;
}
