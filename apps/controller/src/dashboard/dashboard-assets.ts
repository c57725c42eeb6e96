import { readFileSync } from 'node:fs';

/** The page and its script and style; copied next to the compiled code by the build (see package.json). */
const ASSETS_DIR = new URL('./assets/', import.meta.url);

const CONTENT_TYPES = {
  'index.html': 'text/html; charset=utf-8',
  'dashboard.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
} as const;

export type AssetName = keyof typeof CONTENT_TYPES;

export interface Asset {
  body: Buffer;
  contentType: string;
}

/** Reads every asset once; a missing one is a broken build, and stops the controller at start-up. */
export function loadDashboardAssets(): ReadonlyMap<string, Asset> {
  return new Map(Object.entries(CONTENT_TYPES).map(([name, contentType]) => [name, { body: readFileSync(new URL(name, ASSETS_DIR)), contentType }]));
}
