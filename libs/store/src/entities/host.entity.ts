import { Column, CreateDateColumn, Entity, OneToMany, PrimaryColumn, type Relation, UpdateDateColumn } from 'typeorm';
import type { HostFactsRecord } from '../host-facts.js';
import { HostRoleEntity } from './host-role.entity.js';

@Entity('hosts')
export class HostEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 253, unique: true })
  hostname!: string;

  @Column({ type: 'varchar', length: 64 })
  region!: string;

  @Column({ type: 'varchar', length: 64, default: '' })
  agentVersion!: string;

  @Column({ type: 'simple-json', nullable: true })
  facts!: HostFactsRecord | null;

  /** Persisted when the host disconnects; while connected the controller's memory is newer. */
  @Column({ type: Date, nullable: true })
  lastHeartbeatAt!: Date | null;

  @CreateDateColumn({ type: Date })
  createdAt!: Date;

  @UpdateDateColumn({ type: Date })
  updatedAt!: Date;

  @OneToMany(() => HostRoleEntity, (role) => role.host)
  roles!: Relation<HostRoleEntity[]>;
}
