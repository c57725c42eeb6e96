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

// libs/proto/src/index.ts: the loader, and every generated type (enums as values too).
const typesDir = join(outDir, 'imagelib/v1');
const lines = ["export { loadImagelibV1, PROTO_DIR, PROTO_LOADER_OPTIONS } from './loader.js';"];
for (const file of readdirSync(typesDir).filter((name) => name.endsWith('.ts')).sort()) {
  const name = file.slice(0, -3);
  const from = `./generated/imagelib/v1/${name}.js`;
  const source = readFileSync(join(typesDir, file), 'utf8');
  if (name === 'AgentGateway') lines.push(`export type { AgentGatewayClient, AgentGatewayHandlers } from '${from}';`);
  else if (source.includes(`export const ${name} =`)) lines.push(`export { ${name} } from '${from}';`, `export type { ${name}__Output } from '${from}';`);
  else lines.push(`export type { ${name}, ${name}__Output } from '${from}';`);
}
writeFileSync(join(root, 'libs/proto/src/index.ts'), `${lines.join('\n')}\n`);
