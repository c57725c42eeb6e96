import { describe, expect, it } from '@jest/globals';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { ConfigError, validateSettings } from './validate-settings.js';

class Example {
  @IsString() @Matches(/^\//, { message: 'must be an absolute path' })
  dir!: string;

  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(65535)
  port = 8080;
}

describe('validateSettings', () => {
  it('converts and keeps defaults', () => {
    expect(validateSettings(Example, { dir: '/x', port: '99' })).toEqual(Object.assign(new Example(), { dir: '/x', port: 99 }));
    expect(validateSettings(Example, { dir: '/x' }).port).toBe(8080);
  });

  it('names every bad setting in the operator\'s words', () => {
    let error: unknown;
    try {
      validateSettings(Example, { dir: 'rel', port: '0' }, { dir: 'APP_DIR', port: 'APP_PORT' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual(['APP_DIR="rel": must be an absolute path', 'APP_PORT=0: APP_PORT must not be less than 1']);
    expect((error as ConfigError).message).toContain('invalid configuration:\n  - APP_DIR="rel"');
  });
});
