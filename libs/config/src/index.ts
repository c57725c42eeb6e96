export { ConfigError, validateSettings } from './validate-settings.js';
