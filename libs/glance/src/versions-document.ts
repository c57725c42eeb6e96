/** The Glance v2 versions the image API answers to, newest first (as glance-api 25 lists them). */
const VERSIONS = ['2.16', '2.15', '2.14', '2.13', '2.12', '2.11', '2.10', '2.9', '2.8', '2.7', '2.6', '2.5', '2.4', '2.3', '2.2', '2.1', '2.0'];

const HOST_HEADER = /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/** Glance's `{"versions": [...]}`, with links built from the request's Host header when it is a plain host[:port]. */
export function versionsDocument(hostHeader: string | undefined, fallbackHost: string): { versions: unknown[] } {
  const host = hostHeader && HOST_HEADER.test(hostHeader) ? hostHeader : fallbackHost;
  return {
    versions: VERSIONS.map((version, index) => ({
      id: `v${version}`,
      status: index === 0 ? 'CURRENT' : 'SUPPORTED',
      links: [{ rel: 'self', href: `http://${host}/v2/` }],
    })),
  };
}
