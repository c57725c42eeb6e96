import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class JoinTokenDto {
  @ApiProperty({ example: 'k3x9qa' }) id!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ type: String, format: 'date-time' }) expiresAt!: string;
  @ApiProperty() maxUses!: number;
  @ApiProperty() uses!: number;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
}

export class CreatedJoinTokenDto extends JoinTokenDto {
  @ApiProperty({ description: 'The secret token; shown once', example: 'k3x9qa.0p1ez8g4q2r7mvx3' }) token!: string;
  @ApiProperty({ description: "Hash of the controller CA's public key, for agents to pin", example: 'sha256:5f1d…' }) caCertHash!: string;
  @ApiProperty({ description: 'The controller gRPC address agents enrol with', example: 'controller.example:9443' }) controllerAddress!: string;
  @ApiPropertyOptional({ description: 'Agent command line that enrols a host with this token' }) agentCommand!: string;
}
