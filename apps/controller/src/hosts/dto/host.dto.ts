import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ROLE_STATES } from '@imagelib/store';

export class RoleDto {
  @ApiProperty({ example: 'image-library' }) role!: string;
  @ApiProperty({ enum: ROLE_STATES, description: 'pending → active | failed; removing until the agent stopped it' }) state!: string;
  @ApiProperty({ description: 'Why the role failed or what the agent said' }) reason!: string;
  @ApiProperty({ example: '/var/lib/imagelib/images' }) repositoryPath!: string;
  @ApiProperty({ example: 9292 }) port!: number;
  @ApiProperty({ description: 'The repository must be on a mounted share' }) requireMount!: boolean;
  @ApiProperty({ description: 'Where the image service answers, once active', example: 'http://10.0.0.5:9292' }) url!: string;
  @ApiProperty({ description: 'Increases on every change of the assignment' }) generation!: number;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt!: string;
}

export class RepositoryFactsDto {
  @ApiProperty() path!: string;
  @ApiProperty() exists!: boolean;
  @ApiProperty() writable!: boolean;
  @ApiProperty({ example: 'ext4' }) fsType!: string;
  @ApiProperty({ example: '/' }) mountPoint!: string;
  @ApiProperty({ example: '/dev/vda1' }) mountSource!: string;
  @ApiProperty() sizeBytes!: number;
  @ApiProperty() freeBytes!: number;
  @ApiProperty() readOnly!: boolean;
  @ApiProperty({ description: 'Why the agent will not write there now; empty when usable' }) unusableReason!: string;
  @ApiProperty({ type: [String], description: 'Hosts seen writing into the same storage lately (the live probe: every host rewrites a file of its own there and reads the others\'\')' })
  storagePeers!: string[];
  @ApiProperty({ description: 'The probe has run long enough that a host missing from storagePeers is on another storage' }) storageProbeSettled!: boolean;
}

export const CONDITION_TYPES = ['repository-path-mismatch', 'repository-unusable', 'repository-read-only', 'repository-not-writable', 'low-free-space', 'storage-marker-copied'] as const;

export class ConditionDto {
  @ApiProperty({ enum: CONDITION_TYPES }) type!: string;
  @ApiProperty({ description: 'Clients are kept away from the host while this holds' }) blocking!: boolean;
  @ApiProperty({ example: 'the share for /var/lib/imagelib/images is not mounted (it is on the root filesystem)' }) reason!: string;
}

export class HostFactsDto {
  @ApiProperty({ example: { platform: 'linux', distro: 'Debian GNU/Linux', release: '12', kernel: '6.1.0', arch: 'x64' } })
  os!: { platform: string; distro: string; release: string; kernel: string; arch: string };
  @ApiProperty({ example: { brand: 'EPYC', cores: 2, physicalCores: 2, speedGhz: 2.4 } })
  cpu!: { brand: string; cores: number; physicalCores: number; speedGhz: number };
  @ApiProperty({ example: { totalBytes: 25769803776, availableBytes: 20000000000 } })
  memory!: { totalBytes: number; availableBytes: number };
}

export class HostDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() hostname!: string;
  @ApiProperty() region!: string;
  @ApiProperty({ type: [String] }) addresses!: string[];
  @ApiProperty() agentVersion!: string;
  @ApiProperty({ description: 'The agent holds its stream open and heartbeats on time' }) connected!: boolean;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) lastHeartbeatAt!: string | null;
  @ApiPropertyOptional({ type: HostFactsDto, nullable: true }) facts!: HostFactsDto | null;
  @ApiProperty({ type: [RepositoryFactsDto], description: 'Filesystem facts of the repository paths the agent serves' }) repositories!: RepositoryFactsDto[];
  @ApiProperty({ type: [RoleDto] }) roles!: RoleDto[];
  @ApiProperty({ type: [ConditionDto], description: 'Problems of the repository, e.g. a share that is not mounted' }) conditions!: ConditionDto[];
  @ApiProperty({ type: [String], description: 'Ids of the other image-library hosts whose repository is on the same storage (same marker, confirmed by the live probe)' })
  sharesStorageWith!: string[];
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
}
