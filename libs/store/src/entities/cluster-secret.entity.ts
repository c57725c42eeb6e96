import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * Key material every controller of a cluster shares (the CA, the image-token signing key), kept in
 * the database when it is PostgreSQL: written once, by whichever controller got there first.
 */
@Entity('cluster_secrets')
export class ClusterSecretEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  name!: string;

  @Column({ type: 'text' })
  value!: string;

  @CreateDateColumn({ type: Date })
  createdAt!: Date;
}
