import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A token agents present to enrol. Only the secret's hash is stored. */
@Entity('join_tokens')
export class JoinTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 16 })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  secretHash!: string;

  @Column({ type: 'varchar', length: 256, default: '' })
  description!: string;

  @Column({ type: Date })
  expiresAt!: Date;

  @Column({ type: 'integer' })
  maxUses!: number;

  @Column({ type: 'integer', default: 0 })
  uses!: number;

  @CreateDateColumn({ type: Date })
  createdAt!: Date;
}
