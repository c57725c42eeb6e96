import { isJsonObject, pyLen, pyRepr, pyStrRepr } from './py-format.js';

/** The JSON-schema vocabulary Glance's image schema uses (plus annotations the validator ignores). */
export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly maxLength?: number;
  readonly minLength?: number;
  readonly pattern?: string;
  readonly items?: JsonSchema;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly [annotation: string]: unknown;
}

export interface SchemaViolation {
  /** jsonschema's message, e.g. `'qcow3' is not one of [None, 'ami', ...]` */
  message: string;
  /** Where in the instance, e.g. `['tags', 0]` */
  path: ReadonlyArray<string | number>;
}

function matchesType(instance: unknown, type: string): boolean {
  switch (type) {
    case 'string':
      return typeof instance === 'string';
    case 'integer':
      return typeof instance === 'number' && Number.isInteger(instance);
    case 'number':
      return typeof instance === 'number';
    case 'boolean':
      return typeof instance === 'boolean';
    case 'null':
      return instance === null;
    case 'array':
      return Array.isArray(instance);
    case 'object':
      return isJsonObject(instance);
    default:
      return true;
  }
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => jsonEqual(item, b[index]));
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => key in b && jsonEqual(a[key], b[key]));
  }
  return false;
}

/**
 * Every violation, in the order Python's jsonschema finds them: the schema's keywords in their
 * order, `properties` in the schema's order, additional properties in the instance's order.
 */
export function* iterSchemaViolations(instance: unknown, schema: JsonSchema, path: ReadonlyArray<string | number> = []): Generator<SchemaViolation> {
  for (const [keyword, value] of Object.entries(schema)) {
    switch (keyword) {
      case 'type': {
        const types = typeof value === 'string' ? [value] : (value as readonly string[]);
        if (!types.some((type) => matchesType(instance, type))) {
          yield { message: `${pyRepr(instance)} is not of type ${types.map(pyStrRepr).join(', ')}`, path };
        }
        break;
      }
      case 'enum': {
        const options = value as readonly unknown[];
        if (!options.some((option) => jsonEqual(option, instance))) yield { message: `${pyRepr(instance)} is not one of ${pyRepr(options)}`, path };
        break;
      }
      case 'maxLength':
        if (typeof instance === 'string' && pyLen(instance) > (value as number)) yield { message: `${pyRepr(instance)} is too long`, path };
        break;
      case 'minLength':
        if (typeof instance === 'string' && pyLen(instance) < (value as number)) yield { message: `${pyRepr(instance)} is too short`, path };
        break;
      case 'pattern':
        if (typeof instance === 'string' && !new RegExp(value as string).test(instance)) {
          yield { message: `${pyRepr(instance)} does not match ${pyStrRepr(value as string)}`, path };
        }
        break;
      case 'items':
        if (Array.isArray(instance)) {
          for (const [index, item] of instance.entries()) yield* iterSchemaViolations(item, value as JsonSchema, [...path, index]);
        }
        break;
      case 'properties':
        if (isJsonObject(instance)) {
          for (const [name, subschema] of Object.entries(value as Record<string, JsonSchema>)) {
            if (Object.hasOwn(instance, name)) yield* iterSchemaViolations(instance[name], subschema, [...path, name]);
          }
        }
        break;
      case 'required':
        if (isJsonObject(instance)) {
          for (const name of value as readonly string[]) {
            if (!Object.hasOwn(instance, name)) yield { message: `${pyStrRepr(name)} is a required property`, path };
          }
        }
        break;
      case 'additionalProperties':
        if (isJsonObject(instance)) {
          const declared = schema.properties ?? {};
          const extras = Object.keys(instance).filter((name) => !Object.hasOwn(declared, name));
          if (value === false && extras.length > 0) {
            const verb = extras.length === 1 ? 'was' : 'were';
            yield { message: `Additional properties are not allowed (${extras.map(pyStrRepr).join(', ')} ${verb} unexpected)`, path };
          } else if (isJsonObject(value)) {
            for (const name of extras) yield* iterSchemaViolations(instance[name], value as JsonSchema, [...path, name]);
          }
        }
        break;
      default:
        break;
    }
  }
}

/** jsonschema's `best_match`: the shallowest violation, the first found among equals. */
export function bestSchemaViolation(instance: unknown, schema: JsonSchema): SchemaViolation | null {
  let best: SchemaViolation | null = null;
  for (const violation of iterSchemaViolations(instance, schema)) {
    if (best === null || violation.path.length < best.path.length) best = violation;
  }
  return best;
}

/**
 * glance.schema.Schema.validate: null when valid, else the message of glance's `InvalidObject`,
 * `Provided object does not match schema 'image': <jsonschema message>`.
 */
export function schemaValidationMessage(instance: unknown, schema: JsonSchema & { readonly name: string }): string | null {
  const violation = bestSchemaViolation(instance, schema);
  return violation === null ? null : `Provided object does not match schema '${schema.name}': ${violation.message}`;
}
