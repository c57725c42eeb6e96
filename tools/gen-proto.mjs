#!/usr/bin/env node
// Regenerates libs/proto/src/generated from libs/proto/proto with proto-loader-gen-types.
// The options here must match PROTO_LOADER_OPTIONS in libs/proto/src/loader.ts.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const protoDir = join(root, 'libs/proto/proto');
const outDir = join(root, 'libs/proto/src/generated');

rmSync(outDir, { recursive: true, force: true });
execFileSync(
  join(root, 'node_modules/.bin/proto-loader-gen-types'),
  [
    '--longs=Number',
    '--enums=String',
    '--defaults',
    '--oneofs',
    '--includeComments',
    '--grpcLib=@grpc/grpc-js',
    '--importFileExtension=.js',
    `--includeDirs=${protoDir}`,
    `--outDir=${outDir}`,
    'imagelib/v1/agent_gateway.proto',
  ],
  { stdio: 'inherit', cwd: root },
);

// Generated headers name the source by absolute path; keep them relative so output is the same on every machine.
for (const entry of readdirSync(outDir, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile()) continue;
  const file = join(entry.parentPath, entry.name);
  writeFileSync(file, readFileSync(file, 'utf8').replaceAll(`${root}/`, ''));
}
