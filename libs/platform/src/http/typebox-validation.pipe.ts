import { type PipeTransform } from '@nestjs/common';
import { type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { type ApiError, InvalidRequestError } from '../errors/api-error';

type ErrorFactory = (problems: string[]) => ApiError;

/** Validates a request part against a JSON Schema, compiled once; every problem is listed in the 400. */
export class TypeBoxValidationPipe<S extends TSchema> implements PipeTransform<unknown, Static<S>> {
  private readonly check;

  constructor(
    schema: S,
    private readonly what: string,
    private readonly toError: ErrorFactory = (problems) => new InvalidRequestError(`${what} is invalid: ${problems.join('; ')}`, { problems }),
  ) {
    this.check = TypeCompiler.Compile(schema);
  }

  transform(value: unknown): Static<S> {
    if (this.check.Check(value)) return value;
    const problems = [...this.check.Errors(value)].slice(0, 20).map((error) => `${error.path || '/'} ${error.message}`);
    throw this.toError(problems);
  }
}
