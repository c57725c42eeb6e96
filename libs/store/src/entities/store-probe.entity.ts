import { Column, Entity, PrimaryColumn } from 'typeorm';
import { BIGINT_AS_NUMBER } from './bigint-number.js';

/** One row, rewritten by every readiness check: proof that the database can still be written. */
@Entity('store_probe')
export class StoreProbeEntity {
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  /** When the last readiness check wrote it (ms since the epoch: a bigint on PostgreSQL, whose integer has 32 bits). */
  @Column({ type: 'bigint', transformer: BIGINT_AS_NUMBER })
  writtenAt!: number;
}
