import { ApiProperty } from '@nestjs/swagger';

export class EndpointDto {
  @ApiProperty({ example: 'http://10.0.0.5:9292' }) url!: string;
  @ApiProperty({ format: 'uuid' }) hostId!: string;
  @ApiProperty() hostname!: string;
  @ApiProperty({ example: 'default' }) region!: string;
  @ApiProperty({ description: 'Clients should send requests here' }) healthy!: boolean;
  @ApiProperty({ description: 'Why not healthy', example: 'host disconnected' }) reason!: string;
}

export class ImageServiceDto {
  @ApiProperty({ example: 'image' }) type!: string;
  @ApiProperty({ example: 'image-cluster' }) name!: string;
  @ApiProperty({ type: [EndpointDto] }) endpoints!: EndpointDto[];
}

export class EndpointCatalogDto {
  @ApiProperty({ type: [ImageServiceDto], description: 'Keystone-catalog-like: one service with one endpoint per image-library host' })
  catalog!: ImageServiceDto[];
}
