import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation, UpdateDateColumn } from 'typeorm';
import { HostEntity } from './host.entity.js';

export const ROLE_NAMES = ['image-library'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

/** pending → active | failed; removing until the agent confirms it stopped, then the row goes. */
export const ROLE_STATES = ['pending', 'active', 'failed', 'removing'] as const;
export type RoleStateName = (typeof ROLE_STATES)[number];

@Entity('host_roles')
export class HostRoleEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  hostId!: string;

  @PrimaryColumn({ type: 'varchar', length: 32 })
  role!: RoleName;

  @Column({ type: 'varchar', length: 4096 })
  repositoryPath!: string;

  @Column({ type: 'integer' })
  port!: number;

  /** The repository must be on a mounted share, never on the root filesystem. */
  @Column({ type: 'boolean', default: false })
  requireMount!: boolean;

  /** Increases on every change of the assignment; agents answer with the generation they applied. */
  @Column({ type: 'integer' })
  generation!: number;

  @Column({ type: 'varchar', length: 16 })
  state!: RoleStateName;

  @Column({ type: 'varchar', length: 1024, default: '' })
  reason!: string;

  @Column({ type: 'varchar', length: 512, default: '' })
  url!: string;

  /** The storage the role's repository is on, as the agent identified it; equal ids share storage. */
  @Column({ type: 'varchar', length: 64, default: '' })
  storageId!: string;

  @UpdateDateColumn({ type: Date })
  updatedAt!: Date;

  @ManyToOne(() => HostEntity, (host) => host.roles, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'hostId', foreignKeyConstraintName: 'FK_host_roles_host' })
  host!: Relation<HostEntity>;
}
