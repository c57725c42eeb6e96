import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export const DEFAULT_REPOSITORY_PATH = '/var/lib/imagelib/images';
export const DEFAULT_IMAGE_SERVICE_PORT = 9292;

export class AssignImageLibraryRoleDto {
  @ApiPropertyOptional({ description: 'Absolute path of the image repository; the same on every host', default: DEFAULT_REPOSITORY_PATH })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  @Matches(/^\/(?!.*(^|\/)\.\.?(\/|$))[^\0]*$/, { message: 'repositoryPath must be an absolute path without "." or ".." segments' })
  repositoryPath?: string;

  @ApiPropertyOptional({ description: 'TCP port of the image service (Glance v2 API)', minimum: 1, maximum: 65535, default: DEFAULT_IMAGE_SERVICE_PORT })
  @IsOptional() @IsInt() @Min(1) @Max(65535)
  port?: number;

  @ApiPropertyOptional({ description: 'The repository is on a share: while it is not mounted (the path is on the root filesystem) nothing is written there and its images are not served', default: false })
  @IsOptional() @IsBoolean()
  requireMount?: boolean;
}
