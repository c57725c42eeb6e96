import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** A client certificate issued to a host at enrolment. Only a known, unrevoked fingerprint is trusted. */
@Entity('host_credentials')
export class HostCredentialEntity {
  /** SHA-256 of the certificate's DER, lowercase hex. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  fingerprint!: string;

  @Index('IDX_host_credentials_hostId')
  @Column({ type: 'varchar', length: 36 })
  hostId!: string;

  @Column({ type: Date })
  notAfter!: Date;

  @Column({ type: Date, nullable: true })
  revokedAt!: Date | null;

  @CreateDateColumn({ type: Date })
  createdAt!: Date;
}
