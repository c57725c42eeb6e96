/**
 * The environment the agent's node process starts with, wherever it is started: the systemd unit
 * (tools/systemd/imagelib-agent.service, kept in step by launch-environment.spec.ts), the
 * start-by-hand line of tools/install-agent.sh, `npm start` (tools/dev-up.mjs) and the benchmarks.
 * Both settings were measured on the image data path (a 1 GiB upload, then downloads):
 *
 * - `--max-semi-space-size=2`: under an upload's allocation rate V8 grows the young generation to
 *   2 × 16 MiB; with the agent's ~17 MiB old generation that is more than the old generation's
 *   headroom, so V8 starts one full mark-compact after another (about 30 per GiB uploaded, 1.5–2
 *   CPU-seconds per GiB on its helper threads, taken from the hashing threads) and keeps ~25 MiB
 *   more resident. With 2 MiB semi-spaces: one mark-compact per GiB and cheap scavenges.
 *   Re-measured once uploads were written with direct I/O (2a66463), the difference had mostly
 *   gone: storms of mark-compacts (about 65 per GiB) came in 2 of 4 two-upload runs with 2 MiB
 *   and in none of 3 with 16 MiB, and the upload bench ran at the same rate with either (302-310
 *   and 304-309 MB/s, two runs each); 2 MiB kept the upload's RSS lower (120-124 against
 *   129-137 MiB), so it stays.
 * - `MALLOC_TRIM_THRESHOLD_=131072` (glibc's default value): setting it turns glibc's dynamic
 *   mmap threshold off, so large buffers stay mmapped and go back to the system when freed
 *   instead of piling up in the heap arena (RSS idle −9 MiB, after an upload −20 MiB).
 */
export const AGENT_LAUNCH_ENVIRONMENT: Readonly<Record<string, string>> = {
  NODE_OPTIONS: '--max-semi-space-size=2',
  MALLOC_TRIM_THRESHOLD_: '131072',
};
