import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';

export class DrainDto {
  @ApiPropertyOptional({ description: 'Drain even if the host holds the only good copy of images', default: false })
  @IsOptional() @IsBoolean()
  force?: boolean;
}
