import 'reflect-metadata';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

/** Thrown at start-up when settings are wrong; the message names every bad setting. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Turns raw settings (strings from the environment or values from a file) into a validated DTO.
 * `names` maps each DTO property to the name the operator wrote (an environment variable or a
 * file key), so that errors speak the operator's words.
 */
export function validateSettings<T extends object>(dto: ClassConstructor<T>, raw: Record<string, unknown>, names: Partial<Record<keyof T, string>> = {}): T {
  const instance = plainToInstance(dto, raw, { enableImplicitConversion: false, exposeDefaultValues: true });
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: false });
  if (errors.length > 0) throw new ConfigError(errors.flatMap((e) => describe(e, names as Record<string, string>)));
  return instance;
}

function describe(error: ValidationError, names: Record<string, string>): string[] {
  const name = names[error.property] ?? error.property;
  const shown = typeof error.value === 'string' ? JSON.stringify(error.value) : String(error.value);
  return Object.values(error.constraints ?? {}).map((message) => `${name}=${shown}: ${message.replace(error.property, name)}`);
}
