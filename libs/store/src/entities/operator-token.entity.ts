import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export const OPERATOR_SCOPES = ['admin', 'read-only'] as const;
export type OperatorScope = (typeof OPERATOR_SCOPES)[number];

/** A bearer token for the operators' REST API. Only the secret's hash is stored. */
@Entity('operator_tokens')
export class OperatorTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 16 })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  secretHash!: string;

  @Column({ type: 'varchar', length: 128 })
  name!: string;

  @Column({ type: 'varchar', length: 16 })
  scope!: OperatorScope;

  @Column({ type: Date, nullable: true })
  revokedAt!: Date | null;

  @CreateDateColumn({ type: Date })
  createdAt!: Date;
}
