import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CreateOperatorTokenDto } from './dto/create-operator-token.dto.js';
import { CreatedOperatorTokenDto, OperatorTokenDto } from './dto/operator-token.dto.js';
import { OperatorTokensService } from './operator-tokens.service.js';

@ApiTags('operator-tokens')
@ApiBearerAuth()
@Controller('api/v1/operator-tokens')
export class OperatorTokensController {
  constructor(private readonly operatorTokens: OperatorTokensService) {}

  @Post()
  @ApiCreatedResponse({ type: CreatedOperatorTokenDto, description: 'A token for the REST API (admin or read-only); the secret is shown only here' })
  create(@Body() body: CreateOperatorTokenDto): Promise<CreatedOperatorTokenDto> {
    return this.operatorTokens.create(body.name, body.scope ?? 'read-only');
  }

  @Get()
  @ApiOkResponse({ type: [OperatorTokenDto], description: 'Every token, revoked ones too; no secrets' })
  list(): Promise<OperatorTokenDto[]> {
    return this.operatorTokens.list();
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The token is refused from now on' })
  @ApiConflictResponse({ description: 'It is the last admin token that is not revoked' })
  revoke(@Param('id') id: string): Promise<void> {
    return this.operatorTokens.revoke(id);
  }
}
