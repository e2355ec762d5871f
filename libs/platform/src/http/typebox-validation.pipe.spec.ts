import fc from 'fast-check';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { InvalidRequestError } from '../errors/api-error';
import { TypeBoxValidationPipe, validatorFor } from './typebox-validation.pipe';

const Settings = Type.Object({
  name: Type.String(),
  persist: Type.Boolean({ default: true }),
  limit: Type.Integer({ default: 10 }),
});

const Nested = Type.Object({
  name: Type.String(),
  persist: Type.Boolean({ default: true }),
  options: Type.Object({ depth: Type.Integer({ default: 3 }) }),
});

describe('validatorFor', () => {
  it('fills the defaults of omitted properties before checking', () => {
    expect(validatorFor(Settings, 'settings')({ name: 'a' })).toEqual({ name: 'a', persist: true, limit: 10 });
  });

  it('fills a nested default even when every top-level default is given', () => {
    expect(validatorFor(Nested, 'nested')({ name: 'a', persist: false, options: {} })).toEqual({ name: 'a', persist: false, options: { depth: 3 } });
  });

  it("gives what TypeBox's own default filling gives, whichever properties are given", () => {
    const validate = validatorFor(Settings, 'settings');
    const given = fc.record({ name: fc.string(), persist: fc.boolean(), limit: fc.integer() }, { requiredKeys: ['name'] });
    fc.assert(fc.property(given, (value) => expect(validate(structuredClone(value))).toEqual(Value.Default(Settings, structuredClone(value)))));
  });

  it('lists every problem of an invalid value', () => {
    const validate = validatorFor(Settings, 'settings');
    expect(() => validate({ persist: 'yes' })).toThrow(InvalidRequestError);
    expect(() => validate({ persist: 'yes' })).toThrow(/\/name[\s\S]*\/persist|\/persist[\s\S]*\/name/);
  });
});

describe('TypeBoxValidationPipe', () => {
  const pipe = new TypeBoxValidationPipe(Settings, 'settings');

  it('says a request has no body rather than listing what an object lacks', () => {
    expect(() => pipe.transform(undefined, { type: 'body' })).toThrow(new InvalidRequestError('the request has no body: send the settings as JSON'));
  });

  it('validates a parameter or a body it is given', () => {
    expect(pipe.transform({ name: 'a' }, { type: 'body' })).toEqual({ name: 'a', persist: true, limit: 10 });
    expect(() => pipe.transform(undefined, { type: 'param' })).toThrow(/settings is invalid/);
  });
});
