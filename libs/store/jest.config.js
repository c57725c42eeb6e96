import preset from '../../jest.preset.js';

// The store's tests run in a zone that is not UTC, with a half-hour offset: a time kept anywhere as
// local time instead of UTC shows as a wrong time (see "keeps times … as UTC" in store.spec.ts).
process.env.TZ = 'America/St_Johns';

export default { ...preset, roots: ['<rootDir>/src'] };
