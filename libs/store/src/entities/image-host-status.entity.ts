import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { HostEntity } from './host.entity.js';

/** What the agents report; `offline` is not stored, the controller derives it from liveness. */
export const IMAGE_HOST_STATES = ['ok', 'missing', 'no-access', 'cannot-delete', 'corrupt'] as const;
export type ImageHostStateName = (typeof IMAGE_HOST_STATES)[number];

@Entity('image_host_statuses')
export class ImageHostStatusEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  imageId!: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  hostId!: string;

  @Column({ type: 'varchar', length: 16 })
  state!: ImageHostStateName;

  @Column({ type: 'varchar', length: 1024, default: '' })
  reason!: string;

  @Column({ type: 'varchar', length: 32 })
  updatedAt!: string;

  @ManyToOne(() => HostEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'hostId', foreignKeyConstraintName: 'FK_image_host_statuses_host' })
  host!: Relation<HostEntity>;
}
