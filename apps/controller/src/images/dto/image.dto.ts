import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export const HOST_IMAGE_STATUSES = ['ok', 'missing', 'no-access', 'cannot-delete', 'corrupt', 'offline'] as const;

export class ImageOnHostDto {
  @ApiProperty({ format: 'uuid' }) hostId!: string;
  @ApiProperty() hostname!: string;
  @ApiProperty({ enum: HOST_IMAGE_STATUSES }) status!: string;
  @ApiProperty({ example: 'EACCES on /var/lib/imagelib/images/cirros.qcow2' }) reason!: string;
}

export class ImageDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiPropertyOptional({ type: String, nullable: true }) name!: string | null;
  @ApiProperty({ description: 'Glance status: queued, saving, active, killed, deactivated' }) status!: string;
  @ApiPropertyOptional({ type: String, nullable: true }) diskFormat!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) containerFormat!: string | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) size!: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) virtualSize!: number | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'MD5' }) checksum!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'SHA-512' }) osHashValue!: string | null;
  @ApiProperty() visibility!: string;
  @ApiProperty() protected!: boolean;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'File name in the repository' }) fileName!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiProperty({ type: [ImageOnHostDto], description: 'The image on every image-library host' }) hosts!: ImageOnHostDto[];
}

export class HostImageDto {
  @ApiProperty({ format: 'uuid' }) imageId!: string;
  @ApiPropertyOptional({ type: String, nullable: true }) name!: string | null;
  @ApiProperty({ enum: HOST_IMAGE_STATUSES }) status!: string;
  @ApiProperty() reason!: string;
}
