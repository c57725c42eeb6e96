import { Body, Controller, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { CreateImageTokenDto, ImageTokenDto } from './dto/create-image-token.dto.js';
import { ImageTokenSigner } from './image-token-signer.js';

@ApiTags('image-tokens')
@ApiBearerAuth()
@Controller('api/v1/image-tokens')
export class ImageTokensController {
  constructor(private readonly signer: ImageTokenSigner) {}

  @Post()
  @ApiCreatedResponse({ type: ImageTokenDto, description: 'A token for the image API (X-Auth-Token), verified by every host on its own' })
  create(@Body() body: CreateImageTokenDto): ImageTokenDto {
    const expiresAt = Math.floor(Date.now() / 1000) + (body.ttlSeconds ?? 3600);
    return {
      token: this.signer.sign({ subject: body.subject, project: body.project ?? null, admin: body.admin ?? false, expiresAt }),
      expiresAt: new Date(expiresAt * 1000).toISOString(),
    };
  }
}
