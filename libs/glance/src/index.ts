export * from './image-record.js';
export {
  GlanceError,
  HTTP_STATUS_TITLES,
  renderErrorPage,
  toGlanceError,
  type ErrorPage,
  type GlanceErrorOptions,
} from './glance-error.js';
export { IMAGE_SCHEMA, IMAGES_SCHEMA, METADEFS_NAMESPACE_SCHEMA, METADEFS_RESOURCE_TYPE_SCHEMA, NON_BASE_SCHEMA_PROPERTIES, type SchemaDocument } from './schemas.js';
export { bestSchemaViolation, schemaValidationMessage, type JsonSchema, type SchemaViolation } from './json-schema.js';
export { glanceIsoTime, IMAGE_DOCUMENT_KEYS, toImageDocument, type ImageDocument } from './image-document.js';
export { glanceJson } from './glance-json.js';
export { parseJsonBody } from './request-body.js';
export {
  GLANCE_RESERVED_NAMESPACE,
  IMAGE_PROPERTY_QUOTA,
  IMAGE_TAG_QUOTA,
  MAX_DB_INT,
  MAX_PROPERTY_NAME_LENGTH,
  MAX_PROPERTY_VALUE_LENGTH,
} from './image-rules.js';
export { parseCreateImage, type CreateImageOptions, type CreateImageRequest } from './create-image.js';
export {
  applyImagePatch,
  IMAGE_ACCEPT_PATCH,
  IMAGE_PATCH_CONTENT_TYPES,
  imagePatchContentType,
  parseImagePatch,
  unsupportedPatchMediaType,
  type ImagePatchContentType,
  type ImagePatchOp,
  type ImagePatchOperation,
  type ImagePatchOptions,
} from './patch-image.js';
export { addImageTag, removeImageTag } from './image-tags.js';
export {
  compareInDefaultOrder,
  IMAGE_SORT_KEYS,
  imageListComparator,
  LIST_LIMIT_DEFAULT,
  LIST_LIMIT_MAX,
  listImages,
  matchesListQuery,
  MEMBER_STATUSES,
  parseIsoTime,
  parseListQuery,
  type ImageListFilter,
  type ImageListPage,
  type ImageListQuery,
  type ImageSortKey,
  type ListImagesOptions,
  type MemberStatus,
  type SortDirection,
} from './list-images.js';
export {
  assertCanDelete,
  assertCanUpload,
  assertImageExists,
  canTransition,
  canUpload,
  checkDownload,
  deactivatedStatus,
  IMAGE_STATUS_TRANSITIONS,
  isDeletedImage,
  reactivatedStatus,
  statusTransitionMessage,
  type DownloadAnswer,
} from './image-lifecycle.js';
export { authToken, canChange, canSee, verifiedCaller, type Caller } from './image-access.js';
export { mediaType, readSmallBody, sendError, sendJson, sendNoContent } from './glance-http.js';
export { versionsDocument } from './versions-document.js';
export { ImageApi, type ImageApiBackend } from './image-api.js';
