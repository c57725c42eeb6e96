import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { EndpointCatalogDto } from './endpoint.dto.js';
import { EndpointsService } from './endpoints.service.js';

@ApiTags('endpoints')
@ApiBearerAuth()
@Controller('api/v1/endpoints')
export class EndpointsController {
  constructor(private readonly endpoints: EndpointsService) {}

  @Get()
  @ApiOkResponse({ type: EndpointCatalogDto, description: 'The image service endpoints, healthy first' })
  catalog(): Promise<EndpointCatalogDto> {
    return this.endpoints.catalog();
  }
}
