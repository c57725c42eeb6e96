import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export class CreateImageTokenDto {
  @ApiProperty({ description: 'Who the token is for (shown in logs)', example: 'nova-compute' })
  @IsString() @Matches(/^[\w.@-]{1,128}$/, { message: 'subject must be 1-128 letters, digits, dots, dashes, underscores or @' })
  subject!: string;

  @ApiPropertyOptional({ description: 'Project (Glance owner) the bearer acts for', example: '8c2f0f2e5b7a4c7e9d3a1b6c5d4e3f21' })
  @IsOptional() @IsString() @MaxLength(255)
  project?: string;

  @ApiPropertyOptional({ description: 'Admin tokens see and change every image', default: false })
  @IsOptional() @IsBoolean()
  admin?: boolean;

  @ApiPropertyOptional({ description: 'Seconds until the token expires', minimum: 1, maximum: 2592000, default: 3600 })
  @IsOptional() @IsInt() @Min(1) @Max(2_592_000)
  ttlSeconds?: number;
}

export class ImageTokenDto {
  @ApiProperty({ description: 'Send as X-Auth-Token to any image service host' }) token!: string;
  @ApiProperty({ type: String, format: 'date-time' }) expiresAt!: string;
}
