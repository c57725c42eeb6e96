import { ApiProperty } from '@nestjs/swagger';
import { OPERATOR_SCOPES, type OperatorScope } from '@imagelib/store';

export class OperatorTokenDto {
  @ApiProperty({ example: 'k3x9qa2m' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: OPERATOR_SCOPES }) scope!: OperatorScope;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt!: string | null;
}

export class CreatedOperatorTokenDto extends OperatorTokenDto {
  @ApiProperty({ description: 'Send as Authorization: Bearer <token>; shown once', example: 'k3x9qa2m.0p1ez8g4q2r7mvx3…' }) token!: string;
}
