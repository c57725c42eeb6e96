import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1795313829693 implements MigrationInterface {
  name = 'InitialSchema1795313829693';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "hosts" (
        "id" character varying(36) NOT NULL,
        "hostname" character varying(253) NOT NULL,
        "region" character varying(64) NOT NULL,
        "agentVersion" character varying(64) NOT NULL DEFAULT '',
        "facts" text,
        "lastHeartbeatAt" timestamp,
        "createdAt" timestamp NOT NULL DEFAULT now(),
        "updatedAt" timestamp NOT NULL DEFAULT now(),
        CONSTRAINT "PK_hosts" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_hosts_hostname" UNIQUE ("hostname")
      )`,
    );
    await queryRunner.query(
      `CREATE TABLE "host_roles" (
        "hostId" character varying(36) NOT NULL,
        "role" character varying(32) NOT NULL,
        "repositoryPath" character varying(4096) NOT NULL,
        "port" integer NOT NULL,
        "generation" integer NOT NULL,
        "state" character varying(16) NOT NULL,
        "reason" character varying(1024) NOT NULL DEFAULT '',
        "url" character varying(512) NOT NULL DEFAULT '',
        "updatedAt" timestamp NOT NULL DEFAULT now(),
        CONSTRAINT "PK_host_roles" PRIMARY KEY ("hostId", "role"),
        CONSTRAINT "FK_host_roles_host" FOREIGN KEY ("hostId") REFERENCES "hosts" ("id") ON DELETE CASCADE ON UPDATE NO ACTION
      )`,
    );
    await queryRunner.query(
      `CREATE TABLE "host_credentials" (
        "fingerprint" character varying(64) NOT NULL,
        "hostId" character varying(36) NOT NULL,
        "notAfter" timestamp NOT NULL,
        "revokedAt" timestamp,
        "createdAt" timestamp NOT NULL DEFAULT now(),
        CONSTRAINT "PK_host_credentials" PRIMARY KEY ("fingerprint")
      )`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_host_credentials_hostId" ON "host_credentials" ("hostId")`);
    await queryRunner.query(
      `CREATE TABLE "join_tokens" (
        "id" character varying(16) NOT NULL,
        "secretHash" character varying(64) NOT NULL,
        "description" character varying(256) NOT NULL DEFAULT '',
        "expiresAt" timestamp NOT NULL,
        "maxUses" integer NOT NULL,
        "uses" integer NOT NULL DEFAULT 0,
        "createdAt" timestamp NOT NULL DEFAULT now(),
        CONSTRAINT "PK_join_tokens" PRIMARY KEY ("id")
      )`,
    );
    await queryRunner.query(
      `CREATE TABLE "operator_tokens" (
        "id" character varying(16) NOT NULL,
        "secretHash" character varying(64) NOT NULL,
        "name" character varying(128) NOT NULL,
        "scope" character varying(16) NOT NULL,
        "revokedAt" timestamp,
        "createdAt" timestamp NOT NULL DEFAULT now(),
        CONSTRAINT "PK_operator_tokens" PRIMARY KEY ("id")
      )`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "operator_tokens"`);
    await queryRunner.query(`DROP TABLE "join_tokens"`);
    await queryRunner.query(`DROP INDEX "IDX_host_credentials_hostId"`);
    await queryRunner.query(`DROP TABLE "host_credentials"`);
    await queryRunner.query(`DROP TABLE "host_roles"`);
    await queryRunner.query(`DROP TABLE "hosts"`);
  }
}
