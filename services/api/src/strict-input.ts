import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';

type SchemaController = NonNullable<FastifyServerOptions['schemaController']>;
type BuildValidator = NonNullable<NonNullable<SchemaController['compilersFactory']>['buildValidator']>;
type Compile = ReturnType<ReturnType<typeof AjvCompiler>>;
type Route = Parameters<Compile>[0] & { schema: { properties?: Record<string, { type?: unknown }> } };
type Validate = ReturnType<Compile>;
type Refusal = { path: string; message: string };

/** A decimal whole number as a path or query string carries it: no sign, hex, exponent or fraction. */
const DECIMAL = /^[0-9]{1,16}$/;

/** The first string holding a NUL character, anywhere in a request part (Postgres cannot store one in text). */
function nulIn(value: unknown, path: string): Refusal | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? { path, message: 'must not contain a NUL character' } : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const found = (Array.isArray(value) ? undefined : nulIn(key, path)) ?? nulIn(inner, `${path}/${key}`);
    if (found) return found;
  }
  return undefined;
}

/** A path or query integer written as anything but plain decimal digits. */
function notDecimal(data: unknown, integers: string[]): Refusal | undefined {
  for (const name of integers) {
    const value = (data as Record<string, unknown> | null)?.[name];
    if (typeof value === 'string' && !DECIMAL.test(value)) return { path: `/${name}`, message: 'must be a decimal whole number' };
  }
  return undefined;
}

/**
 * Input is taken as it is written, not as it could be read, in every route:
 * - no string anywhere may hold a NUL character (400, not the 500 Postgres's refusal would give);
 * - a JSON body is validated without type coercion: `"askerId": "1"` is not the number 1;
 * - path and query strings are strings, so their numbers are converted, but only when they are plain
 *   decimal: `/questions/0x10` and `/questions/1e3` are refused, not read as 16 and 1000.
 * Fastify's own Ajv compiler does the rest (formats, defaults), with the app's Ajv options.
 */
export const buildValidator: BuildValidator = (externalSchemas, options) => {
  const ajvOptions = options as Parameters<ReturnType<typeof AjvCompiler>>[1] & { customOptions?: object };
  const coercing = AjvCompiler()(externalSchemas, ajvOptions);
  const exact = AjvCompiler()(externalSchemas, { ...ajvOptions, customOptions: { ...ajvOptions.customOptions, coerceTypes: false } } as typeof ajvOptions);
  return (route: Route) => {
    const body = route.httpPart === 'body';
    const validate = (body ? exact : coercing)(route);
    const integers = body ? [] : Object.entries(route.schema.properties ?? {}).filter(([, p]) => p.type === 'integer').map(([name]) => name);
    // a function with the validator's shape: Fastify calls it and reads its errors
    const strict = ((data: unknown) => {
      const refused = nulIn(data, '') ?? notDecimal(data, integers);
      if (refused) {
        strict.errors = [{ instancePath: refused.path, schemaPath: '#', keyword: 'strict', params: {}, message: refused.message }];
        return false;
      }
      const valid = validate(data);
      strict.errors = validate.errors;
      return valid;
    }) as Validate;
    return strict;
  };
};

/**
 * Media types: JSON only, except where a route says otherwise. Fastify parses text/plain by default,
 * which would turn a plain-text POST into a string that then fails its schema ("body must be object"):
 * it is removed, so such a request gets the 415 the contract promises.
 */
export function installStrictMediaTypes(app: FastifyInstance): void {
  app.removeContentTypeParser('text/plain');
}
