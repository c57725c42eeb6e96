import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { OPERATOR_SCOPES, type OperatorScope } from '@imagelib/store';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';

export class CreateOperatorTokenDto {
  @ApiProperty({ description: 'Who or what the token is for (shown in the request log)', example: 'monitoring' })
  @IsString() @Matches(/^[\w.@ -]{1,64}$/, { message: 'name must be 1-64 letters, digits, spaces, dots, dashes, underscores or @' })
  name!: string;

  @ApiPropertyOptional({ description: 'read-only tokens may only read (GET) and watch events', enum: OPERATOR_SCOPES, default: 'read-only' })
  @IsOptional() @IsIn(OPERATOR_SCOPES)
  scope?: OperatorScope;
}
