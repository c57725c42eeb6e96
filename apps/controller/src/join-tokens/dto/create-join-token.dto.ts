import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class CreateJoinTokenDto {
  @ApiPropertyOptional({ description: 'What the token is for', maxLength: 256, example: 'rack 4 hosts' })
  @IsOptional() @IsString() @MaxLength(256)
  description?: string;

  @ApiPropertyOptional({ description: 'Seconds until the token expires', minimum: 1, maximum: 2592000, default: 86400 })
  @IsOptional() @IsInt() @Min(1) @Max(2_592_000)
  ttlSeconds?: number;

  @ApiPropertyOptional({ description: 'How many hosts may enrol with it', minimum: 1, maximum: 10000, default: 1 })
  @IsOptional() @IsInt() @Min(1) @Max(10_000)
  maxUses?: number;
}
