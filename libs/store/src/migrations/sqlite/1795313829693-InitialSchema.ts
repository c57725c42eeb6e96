import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1795313829693 implements MigrationInterface {
  name = 'InitialSchema1795313829693';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "hosts" (
        "id" varchar(36) PRIMARY KEY NOT NULL,
        "hostname" varchar(253) NOT NULL,
        "region" varchar(64) NOT NULL,
        "agentVersion" varchar(64) NOT NULL DEFAULT (''),
        "facts" text,
        "lastHeartbeatAt" datetime,
        "createdAt" datetime NOT NULL DEFAULT (datetime('now')),
        "updatedAt" datetime NOT NULL DEFAULT (datetime('now')),
        CONSTRAINT "UQ_hosts_hostname" UNIQUE ("hostname")
      )`,
    );
    await queryRunner.query(
      `CREATE TABLE "host_roles" (
        "hostId" varchar(36) NOT NULL,
        "role" varchar(32) NOT NULL,
        "repositoryPath" varchar(4096) NOT NULL,
        "port" integer NOT NULL,
        "generation" integer NOT NULL,
        "state" varchar(16) NOT NULL,
        "reason" varchar(1024) NOT NULL DEFAULT (''),
        "url" varchar(512) NOT NULL DEFAULT (''),
        "updatedAt" datetime NOT NULL DEFAULT (datetime('now')),
        PRIMARY KEY ("hostId", "role"),
        CONSTRAINT "FK_host_roles_host" FOREIGN KEY ("hostId") REFERENCES "hosts" ("id") ON DELETE CASCADE ON UPDATE NO ACTION
      )`,
    );
    await queryRunner.query(
      `CREATE TABLE "host_credentials" (
        "fingerprint" varchar(64) PRIMARY KEY NOT NULL,
        "hostId" varchar(36) NOT NULL,
        "notAfter" datetime NOT NULL,
        "revokedAt" datetime,
        "createdAt" datetime NOT NULL DEFAULT (datetime('now'))
      )`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_host_credentials_hostId" ON "host_credentials" ("hostId")`);
    await queryRunner.query(
      `CREATE TABLE "join_tokens" (
        "id" varchar(16) PRIMARY KEY NOT NULL,
        "secretHash" varchar(64) NOT NULL,
        "description" varchar(256) NOT NULL DEFAULT (''),
        "expiresAt" datetime NOT NULL,
        "maxUses" integer NOT NULL,
        "uses" integer NOT NULL DEFAULT (0),
        "createdAt" datetime NOT NULL DEFAULT (datetime('now'))
      )`,
    );
    await queryRunner.query(
      `CREATE TABLE "operator_tokens" (
        "id" varchar(16) PRIMARY KEY NOT NULL,
        "secretHash" varchar(64) NOT NULL,
        "name" varchar(128) NOT NULL,
        "scope" varchar(16) NOT NULL,
        "revokedAt" datetime,
        "createdAt" datetime NOT NULL DEFAULT (datetime('now'))
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
