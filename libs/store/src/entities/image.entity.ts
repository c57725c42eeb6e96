import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { BIGINT_AS_NUMBER } from './bigint-number.js';

/**
 * One image of the catalog. Deleted images stay as tombstones (status "deleted") so that hosts
 * catching up by revision learn about the deletion; `filesPending` tracks whether their data files
 * still have to be removed from the hosts.
 */
@Entity('images')
export class ImageEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  name!: string | null;

  @Column({ type: 'varchar', length: 32 })
  status!: string;

  @Column({ type: 'varchar', length: 16 })
  visibility!: string;

  @Column({ type: 'boolean', default: false })
  protected!: boolean;

  @Column({ type: 'boolean', default: false })
  osHidden!: boolean;

  @Column({ type: 'varchar', length: 16, nullable: true })
  diskFormat!: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  containerFormat!: string | null;

  @Column({ type: 'bigint', nullable: true, transformer: BIGINT_AS_NUMBER })
  size!: number | null;

  @Column({ type: 'bigint', nullable: true, transformer: BIGINT_AS_NUMBER })
  virtualSize!: number | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  checksum!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  osHashAlgo!: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  osHashValue!: string | null;

  @Column({ type: 'integer', default: 0 })
  minRam!: number;

  @Column({ type: 'integer', default: 0 })
  minDisk!: number;

  @Column({ type: 'varchar', length: 255, nullable: true })
  owner!: string | null;

  @Column({ type: 'simple-json' })
  tags!: string[];

  @Column({ type: 'simple-json' })
  properties!: Record<string, string>;

  /** ISO 8601 with milliseconds. */
  @Column({ type: 'varchar', length: 32 })
  createdAt!: string;

  @Column({ type: 'varchar', length: 32 })
  updatedAt!: string;

  @Index('IDX_images_fileName')
  @Column({ type: 'varchar', length: 255, nullable: true })
  fileName!: string | null;

  /** The catalog revision of the last change to this image. */
  @Index('IDX_images_revision')
  @Column({ type: 'integer' })
  revision!: number;

  /** Deleted, and some host may still hold its data file. */
  @Column({ type: 'boolean', default: false })
  filesPending!: boolean;
}
