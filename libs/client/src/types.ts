import type { AttemptRecord } from './errors.js';

/** The Glance v2 image document; custom properties are extra top-level strings. */
export interface ImageDocument {
  id: string;
  name: string | null;
  status: string;
  visibility: string;
  size: number | null;
  virtual_size: number | null;
  checksum: string | null;
  os_hash_algo: string | null;
  os_hash_value: string | null;
  disk_format: string | null;
  container_format: string | null;
  protected: boolean;
  min_ram: number;
  min_disk: number;
  owner: string | null;
  os_hidden: boolean;
  tags: string[];
  created_at: string;
  updated_at: string;
  self: string;
  file: string;
  schema: string;
  [customProperty: string]: unknown;
}

/** The body of POST /v2/images: Glance's writable attributes and custom properties (strings). */
export interface ImageFields {
  /** A UUID; the client picks one when absent, so that a create repeated on another host cannot make two images. */
  id?: string;
  name?: string | null;
  disk_format?: string;
  container_format?: string;
  visibility?: 'public' | 'private' | 'shared' | 'community';
  protected?: boolean;
  os_hidden?: boolean;
  min_ram?: number;
  min_disk?: number;
  owner?: string | null;
  tags?: string[];
  [customProperty: string]: unknown;
}

/** One operation of an `application/openstack-images-v2.1-json-patch` document. */
export interface ImagePatchOperation {
  op: 'add' | 'replace' | 'remove';
  /** `/name`, `/tags`, `/my_property`. */
  path: string;
  value?: unknown;
}

/** GET /v2/images filters, sort and paging: `{ status: 'active', sort_key: 'name', limit: 100 }`. */
export type ImageListQuery = Record<string, string | number | boolean | readonly (string | number)[] | undefined>;

/** Called as data moves: bytes done so far, total bytes when known. A download that restarts goes back to 0. */
export type ProgressCallback = (done: number, total: number | null) => void;

/** The attempt that failed (host and what it answered); the call goes on with another host. */
export type RetryCallback = (failed: AttemptRecord) => void;

export interface CallOptions {
  /** This call's deadline in ms (default: the client's `deadlineMs`, or `transferDeadlineMs` for transfers). */
  deadlineMs?: number;
  /** Aborts the call (the current request is destroyed). */
  signal?: AbortSignal;
  /** Called when an attempt failed and the call goes on with another host (a download resumes where it was). */
  onRetry?: RetryCallback;
}

export interface TransferOptions extends CallOptions {
  onProgress?: ProgressCallback;
}

export interface UploadOptions extends TransferOptions {
  /** The size of a stream source, for progress (a file's size is known). */
  size?: number;
}
