import { type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import { type ApiError, InvalidRequestError } from '../errors/api-error';

type ErrorFactory = (problems: string[]) => ApiError;

/** A validator compiled once from a JSON Schema: returns the value typed, or throws an ApiError listing every problem. */
export function validatorFor<S extends TSchema>(schema: S, what: string, toError?: ErrorFactory): (value: unknown) => Static<S> {
  const check = TypeCompiler.Compile(schema);
  const hasDefaults = JSON.stringify(schema).includes('"default"');
  const defaultedKeys = defaultsOnlyOnTopLevelProperties(schema);
  const fail = toError ?? ((problems: string[]) => new InvalidRequestError(`${what} is invalid: ${problems.join('; ')}`, { problems }));
  // Filling defaults walks the whole schema (~9 us for an evaluation request), so it is skipped when every
  // defaulted property is already given, as it always is from the gRPC controllers.
  const lacksDefaults = (given: object) => defaultedKeys === undefined || defaultedKeys.some((key) => (given as Record<string, unknown>)[key] === undefined);
  return (given) => {
    // Defaults are filled before checking, so an omitted optional setting takes its documented value.
    const value = hasDefaults && given !== null && typeof given === 'object' && lacksDefaults(given) ? Value.Default(schema, given) : given;
    if (check.Check(value)) return value;
    throw fail([...check.Errors(value)].slice(0, 20).map((error) => `${error.path || '/'} ${error.message}`));
  };
}

/** The keys of an object schema's properties that carry a default, or undefined when any default sits deeper. */
function defaultsOnlyOnTopLevelProperties(schema: TSchema): string[] | undefined {
  const properties = (schema as { properties?: Record<string, TSchema> }).properties;
  if (schema.type !== 'object' || !properties) return undefined;
  const withoutTopLevelDefaults = Object.fromEntries(Object.entries(properties).map(([key, { default: _default, ...property }]) => [key, property]));
  if (JSON.stringify({ ...schema, properties: withoutTopLevelDefaults }).includes('"default"')) return undefined;
  return Object.keys(properties).filter((key) => properties[key]!.default !== undefined);
}

/** The same validation as a Nest pipe, for HTTP route parameters and bodies. */
export class TypeBoxValidationPipe<S extends TSchema> implements PipeTransform<unknown, Static<S>> {
  private readonly validate: (value: unknown) => Static<S>;

  constructor(
    /** What the OpenAPI document shows for the parameter or body this pipe validates. */
    readonly schema: S,
    private readonly what: string,
    toError?: ErrorFactory,
  ) {
    this.validate = validatorFor(schema, what, toError);
  }

  transform(value: unknown, metadata?: ArgumentMetadata): Static<S> {
    // A request without a body (the body parsers let every bodiless request through) has `undefined` here.
    if (value === undefined && metadata?.type === 'body') throw new InvalidRequestError(`the request has no body: send the ${this.what} as JSON`);
    return this.validate(value);
  }
}
