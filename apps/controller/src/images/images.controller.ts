import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { HostImageDto, ImageDto } from './dto/image.dto.js';
import { ImagesService } from './images.service.js';

@ApiTags('images')
@ApiBearerAuth()
@Controller('api/v1')
export class ImagesController {
  constructor(private readonly images: ImagesService) {}

  @Get('images')
  @ApiOkResponse({ type: [ImageDto], description: 'The catalog with the status of every image on every image-library host' })
  list(): Promise<ImageDto[]> {
    return this.images.list();
  }

  @Get('images/:id')
  @ApiOkResponse({ type: ImageDto })
  @ApiNotFoundResponse()
  get(@Param('id') id: string): Promise<ImageDto> {
    return this.images.get(id);
  }

  @Get('hosts/:id/images')
  @ApiOkResponse({ type: [HostImageDto], description: 'Every image and its status on this host' })
  @ApiNotFoundResponse()
  ofHost(@Param('id') id: string): Promise<HostImageDto[]> {
    return this.images.ofHost(id);
  }
}
