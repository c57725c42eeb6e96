export { MAX_SLICES_IN_FLIGHT, sendFile, type SendFileOptions, SLICE_BYTES } from './send-file.js';
export { socketFd } from './socket-fd.js';
