import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One row, rewritten by every readiness check: proof that the database can still be written. */
@Entity('store_probe')
export class StoreProbeEntity {
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  /** When the last readiness check wrote it (ms since the epoch). */
  @Column({ type: 'integer' })
  writtenAt!: number;
}
