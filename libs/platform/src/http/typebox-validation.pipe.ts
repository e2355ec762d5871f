import { type PipeTransform } from '@nestjs/common';
import { type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import { type ApiError, InvalidRequestError } from '../errors/api-error';

type ErrorFactory = (problems: string[]) => ApiError;

/** A validator compiled once from a JSON Schema: returns the value typed, or throws an ApiError listing every problem. */
export function validatorFor<S extends TSchema>(schema: S, what: string, toError?: ErrorFactory): (value: unknown) => Static<S> {
  const check = TypeCompiler.Compile(schema);
  const hasDefaults = JSON.stringify(schema).includes('"default"');
  const fail = toError ?? ((problems: string[]) => new InvalidRequestError(`${what} is invalid: ${problems.join('; ')}`, { problems }));
  return (given) => {
    // Defaults are filled before checking, so an omitted optional setting takes its documented value.
    const value = hasDefaults && given !== null && typeof given === 'object' ? Value.Default(schema, given) : given;
    if (check.Check(value)) return value;
    throw fail([...check.Errors(value)].slice(0, 20).map((error) => `${error.path || '/'} ${error.message}`));
  };
}

/** The same validation as a Nest pipe, for HTTP route parameters and bodies. */
export class TypeBoxValidationPipe<S extends TSchema> implements PipeTransform<unknown, Static<S>> {
  readonly transform: (value: unknown) => Static<S>;

  constructor(schema: S, what: string, toError?: ErrorFactory) {
    this.transform = validatorFor(schema, what, toError);
  }
}
