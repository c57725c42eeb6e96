import { ApiProperty } from '@nestjs/swagger';

export class EventTicketDto {
  @ApiProperty({ description: 'Open GET /api/v1/events?ticket=<this> within 30 s; it works once' }) ticket!: string;
  @ApiProperty({ type: String, format: 'date-time' }) expiresAt!: string;
}
