import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One row: the catalog's current revision, bumped by every catalog write. */
@Entity('catalog_state')
export class CatalogStateEntity {
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'integer' })
  revision!: number;
}
