import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AddRoleRequireMount1795318923925 implements MigrationInterface {
  name = 'AddRoleRequireMount1795318923925';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "host_roles" ADD COLUMN "requireMount" boolean NOT NULL DEFAULT false`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "host_roles" DROP COLUMN "requireMount"`);
  }
}
