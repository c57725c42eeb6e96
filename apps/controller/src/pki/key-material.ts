import { Logger } from '@nestjs/common';
import { writeFileAtomic } from '@imagelib/durable-fs';
import type { ClusterSecretsRepository, Store } from '@imagelib/store';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A secret of the controller: its parts, each kept as one file of the data directory (name → mode). */
export interface SecretSpec {
  name: string;
  files: Record<string, number>;
}

/** A secret's contents, by file name. */
export type SecretParts = Record<string, string>;

/**
 * Where the controller keeps its key material (the CA, the image-token key), decided once at start-up:
 * files in the data directory on sqlite, the shared database on PostgreSQL, where every controller of
 * the cluster must sign with the same keys.
 */
export abstract class KeyMaterial {
  /** The secret's parts, made by `create` the first time (by one controller, whichever is first). */
  abstract loadOrCreate(secret: SecretSpec, create: () => Promise<SecretParts>): Promise<SecretParts>;
}

export function keyMaterialFor(store: Store, secrets: ClusterSecretsRepository, dataDir: string): KeyMaterial {
  return store.engine === 'postgres' ? new DatabaseKeyMaterial(secrets, dataDir) : new DataDirectoryKeyMaterial(dataDir);
}

/** Each secret as files of the data directory, written atomically with their modes (0600 for private keys). */
export class DataDirectoryKeyMaterial extends KeyMaterial {
  private readonly logger = new Logger(DataDirectoryKeyMaterial.name);

  constructor(private readonly dataDir: string) {
    super();
  }

  async loadOrCreate(secret: SecretSpec, create: () => Promise<SecretParts>): Promise<SecretParts> {
    await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    if (!this.hasFiles(secret)) {
      const parts = await create();
      for (const [file, mode] of Object.entries(secret.files)) await writeFileAtomic(join(this.dataDir, file), partOf(secret, parts, file), mode);
      this.logger.log(`created ${secret.name} in ${this.filesOf(secret)}`);
    }
    return this.readFiles(secret);
  }

  /** True when every file of the secret is there. */
  hasFiles(secret: SecretSpec): boolean {
    return Object.keys(secret.files).every((file) => existsSync(join(this.dataDir, file)));
  }

  async readFiles(secret: SecretSpec): Promise<SecretParts> {
    const files = Object.keys(secret.files);
    const contents = await Promise.all(files.map((file) => readFile(join(this.dataDir, file), 'utf8')));
    return Object.fromEntries(files.map((file, i) => [file, contents[i] as string]));
  }

  filesOf(secret: SecretSpec): string {
    return Object.keys(secret.files)
      .map((file) => join(this.dataDir, file))
      .join(', ');
  }
}

/**
 * Each secret as one row of cluster_secrets (its parts as JSON), shared by every controller on the
 * database. The first start stores the data directory's files when they are there (a controller that
 * kept them there before moving to PostgreSQL), otherwise what `create` makes; of controllers starting
 * at once, all end up with the value the first to commit stored.
 */
export class DatabaseKeyMaterial extends KeyMaterial {
  private readonly logger = new Logger(DatabaseKeyMaterial.name);
  private readonly files: DataDirectoryKeyMaterial;

  constructor(
    private readonly secrets: ClusterSecretsRepository,
    dataDir: string,
  ) {
    super();
    this.files = new DataDirectoryKeyMaterial(dataDir);
  }

  async loadOrCreate(secret: SecretSpec, create: () => Promise<SecretParts>): Promise<SecretParts> {
    const hasFiles = this.files.hasFiles(secret);
    const found = await this.secrets.find(secret.name);
    if (found !== null) {
      const parts = parse(secret, found);
      if (hasFiles && !sameParts(parts, await this.files.readFiles(secret))) {
        this.logger.warn(`${this.files.filesOf(secret)} differ from the ${secret.name} in the database, which is the one used`);
      }
      this.logger.log(`${secret.name}: from the database`);
      return parts;
    }
    const offered = hasFiles ? await this.files.readFiles(secret) : await create();
    const stored = parse(secret, await this.secrets.keepFirst(secret.name, JSON.stringify(offered)));
    if (!sameParts(stored, offered)) this.logger.log(`${secret.name}: another controller stored it first; using that one`);
    else this.logger.log(hasFiles ? `stored ${secret.name} from ${this.files.filesOf(secret)} in the database` : `created ${secret.name} in the database`);
    return stored;
  }
}

function parse(secret: SecretSpec, value: string): SecretParts {
  const parsed = JSON.parse(value) as SecretParts;
  for (const file of Object.keys(secret.files)) partOf(secret, parsed, file);
  return parsed;
}

function partOf(secret: SecretSpec, parts: SecretParts, file: string): string {
  const part = parts[file];
  if (typeof part !== 'string') throw new Error(`${secret.name} has no ${file}`);
  return part;
}

function sameParts(a: SecretParts, b: SecretParts): boolean {
  const files = Object.keys(a);
  return files.length === Object.keys(b).length && files.every((file) => a[file] === b[file]);
}
