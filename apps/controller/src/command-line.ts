const HELP = `Usage: imagelib-controller [--help]

Runs the Image Library controller: the operators' REST API (with OpenAPI docs at /api/docs),
the agents' gRPC endpoint over TLS and, when given a port, the Glance v2 front door.
It is configured by environment variables:

  IMAGELIB_DATA_DIR              state: sqlite database, CA and image-token key
                                 (on sqlite), admin token
                                 (default /var/lib/imagelib-controller)
  IMAGELIB_DATABASE_URL          keep the database in PostgreSQL instead of sqlite:
                                 postgres://user:password@host:port/database
  IMAGELIB_HTTP_HOST             REST bind address (default 0.0.0.0)
  IMAGELIB_HTTP_PORT             REST port (default 8080)
  IMAGELIB_GRPC_HOST             gRPC bind address (default 0.0.0.0)
  IMAGELIB_GRPC_PORT             gRPC port (default 9443)
  IMAGELIB_HEARTBEAT_INTERVAL_MS agents heartbeat this often; a silent host is
                                 disconnected after 2.5 intervals (default 1000)
  IMAGELIB_TLS_SANS              extra names/addresses for the TLS certificate,
                                 comma-separated
  IMAGELIB_LOG_LEVEL             debug | info | warn | error (default info)
  IMAGELIB_IMAGE_COPIES          on how many storages each image is kept: "all"
                                 (default) or a number; 1 turns replication off
  IMAGELIB_MIN_FREE_BYTES        less free space on a repository is flagged
                                 (default 1 GiB)
  IMAGELIB_IMAGE_API_HOST        Glance front door bind address (default 0.0.0.0)
  IMAGELIB_IMAGE_API_PORT        Glance front door port: one URL for the image
                                 service (default 0: off; Glance's usual is 9292)

On first start it creates the CA and an admin operator token in
IMAGELIB_DATA_DIR/admin-token (mode 0600). On PostgreSQL the CA and the
image-token key are kept in the database, shared by every controller on it
(the data directory's ca.crt, ca.key and image-token.key are stored there on
the first start when they exist), and the admin-token file is written by the
one controller that created the token.
SIGTERM or SIGINT: clean shutdown (streams ended, last heartbeats saved). Exit status:
1 when start-up fails,
2 when the configuration is invalid.
`;

/** The controller takes no arguments but --help; anything else is an error. */
export function parseCommandLine(args: string[]): 'run' | 'help' {
  if (args.length === 0) return 'run';
  if (args.length === 1 && (args[0] === '--help' || args[0] === '-h')) {
    process.stdout.write(HELP);
    return 'help';
  }
  process.stderr.write(`imagelib-controller: unknown argument ${args.join(' ')}\n\n${HELP}`);
  process.exit(2);
}
