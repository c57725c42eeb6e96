export { ImageTokenError, signImageToken, verifyImageToken, type ImageTokenClaims } from './image-token.js';
