import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CreateJoinTokenDto } from './dto/create-join-token.dto.js';
import { CreatedJoinTokenDto, JoinTokenDto } from './dto/join-token.dto.js';
import { JoinTokensService } from './join-tokens.service.js';

@ApiTags('join-tokens')
@ApiBearerAuth()
@Controller('api/v1/join-tokens')
export class JoinTokensController {
  constructor(private readonly joinTokens: JoinTokensService) {}

  @Post()
  @ApiCreatedResponse({ type: CreatedJoinTokenDto, description: 'A token agents enrol with; the secret is shown only here' })
  create(@Body() body: CreateJoinTokenDto): Promise<CreatedJoinTokenDto> {
    return this.joinTokens.create(body);
  }

  @Get()
  @ApiOkResponse({ type: [JoinTokenDto] })
  list(): Promise<JoinTokenDto[]> {
    return this.joinTokens.list();
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The token can no longer be used' })
  delete(@Param('id') id: string): Promise<void> {
    return this.joinTokens.delete(id);
  }
}
