import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiConflictResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AssignImageLibraryRoleDto } from './dto/assign-image-library-role.dto.js';
import { DrainDto } from './dto/drain.dto.js';
import { HostDto, RoleDto } from './dto/host.dto.js';
import { HostsService } from './hosts.service.js';

@ApiTags('hosts')
@ApiBearerAuth()
@Controller('api/v1/hosts')
export class HostsController {
  constructor(private readonly hosts: HostsService) {}

  @Get()
  @ApiOkResponse({ type: [HostDto] })
  list(): Promise<HostDto[]> {
    return this.hosts.list();
  }

  @Get(':id')
  @ApiOkResponse({ type: HostDto })
  @ApiNotFoundResponse()
  get(@Param('id') id: string): Promise<HostDto> {
    return this.hosts.get(id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The host is forgotten and its credential revoked; its agent must enrol again' })
  @ApiNotFoundResponse()
  remove(@Param('id') id: string): Promise<void> {
    return this.hosts.remove(id);
  }

  @Put(':id/roles/image-library')
  @ApiOkResponse({ type: RoleDto, description: 'The role as assigned: pending until the agent confirms its image service listens' })
  @ApiConflictResponse({ description: 'The host is in another region than the hosts that already have the role' })
  @ApiNotFoundResponse()
  assignImageLibrary(@Param('id') id: string, @Body() body: AssignImageLibraryRoleDto): Promise<RoleDto> {
    return this.hosts.assignImageLibraryRole(id, body);
  }

  @Delete(':id/roles/image-library')
  @HttpCode(202)
  @ApiQuery({ name: 'force', required: false, description: 'Remove even if the host holds the only good copy of images' })
  @ApiAcceptedResponse({ type: RoleDto, description: 'The role is being removed; it disappears once the agent stopped its image service' })
  @ApiConflictResponse({ description: 'The host holds the only good copy of images (named in the message)' })
  @ApiNotFoundResponse()
  removeImageLibrary(@Param('id') id: string, @Query('force') force?: string): Promise<RoleDto> {
    return this.hosts.removeImageLibraryRole(id, force === 'true');
  }

  @Post(':id/roles/image-library/drain')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: RoleDto, description: 'Out of the endpoint list now; the image service stops once requests in flight are done (bounded)' })
  @ApiConflictResponse({ description: 'The host holds the only good copy of images (named in the message)' })
  @ApiNotFoundResponse()
  drain(@Param('id') id: string, @Body() body: DrainDto): Promise<RoleDto> {
    return this.hosts.removeImageLibraryRole(id, body.force ?? false);
  }
}
