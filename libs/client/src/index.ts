export { ImageLibraryClient, type ImageLibraryClientOptions } from './client.js';
export type { DownloadResult } from './download.js';
export type { ControllerDiscovery, ImageEndpoint } from './endpoints.js';
export { type AttemptRecord, ImageLibraryError, type ImageLibraryErrorKind } from './errors.js';
export type { CallOptions, ImageDocument, ImageFields, ImageListQuery, ImagePatchOperation, ProgressCallback, RetryCallback, TransferOptions, UploadOptions } from './types.js';
