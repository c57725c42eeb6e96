#!/usr/bin/env bash
# Install the Image Library controller on this host as a systemd service.
#
# The repository must already be installed (checked out, `npm ci && npm run build`)
# under the prefix (default /opt/imagelib). This script creates the `imagelib`
# system user, the data directory, /etc/imagelib/controller.env and the
# imagelib-controller.service unit, then enables and starts the service.
# Run `install-controller.sh --help` for the options.
set -euo pipefail

readonly SERVICE=imagelib-controller
readonly APP=controller
readonly CONFIG_FILE=/etc/imagelib/controller.env
readonly DATA_DIR=/var/lib/imagelib-controller
readonly ADMIN_TOKEN_FILE=/var/lib/imagelib-controller/admin-token
readonly VALUE_OPTIONS=(--http-port --grpc-port --http-host --grpc-host --tls-san --heartbeat-interval-ms)

# shellcheck source-path=SCRIPTDIR source=install-common.sh
. "$(dirname "${BASH_SOURCE[0]}")/install-common.sh"

usage() {
  cat <<EOF
Usage: ${PROG} [options]

Installs the Image Library controller as the systemd service ${SERVICE}.

Options:
  --http-port N              HTTP API port (default: 8080)
  --grpc-port N              agent gateway (gRPC/TLS) port (default: 9443)
  --http-host ADDR           address the HTTP API binds (default: 0.0.0.0)
  --grpc-host ADDR           address the gRPC gateway binds (default: 0.0.0.0)
  --tls-san NAME             extra DNS name or IP address for the controller's TLS
                             certificate; repeat it (or separate with commas) for several
  --heartbeat-interval-ms N  agent heartbeat interval (default: 1000)
  --log-level LEVEL          debug|info|warn|error (default: info)
  --prefix DIR               where the repository is installed (default: ${DEFAULT_PREFIX})
  --root DIR                 write every file under DIR instead of /; create no user,
                             run no systemctl (only print what would be done)
  --no-start                 enable the service but do not start it
  --force                    replace an existing ${CONFIG_FILE} that differs
  -h, --help                 show this help

Files: ${CONFIG_FILE} (0640 root:${SERVICE_GROUP}), ${DATA_DIR} (0700 ${SERVICE_USER}:
database, CA key, admin token), ${UNIT_DIR}/${SERVICE}.service.
Running it again with the same arguments changes nothing.
EOF
}

# ---------------------------------------------------------------- arguments
HTTP_PORT=8080
GRPC_PORT=9443
HTTP_HOST=0.0.0.0
GRPC_HOST=0.0.0.0
TLS_SANS=()
HEARTBEAT_MS=1000

# set_option OPT VALUE: one of VALUE_OPTIONS (called by parse_args).
set_option() {
  case "$1" in
    --http-port) HTTP_PORT="$2" ;;
    --grpc-port) GRPC_PORT="$2" ;;
    --http-host) HTTP_HOST="$2" ;;
    --grpc-host) GRPC_HOST="$2" ;;
    --tls-san)
      local sans
      IFS=',' read -r -a sans <<<"$2"
      if [[ ${#sans[@]} -eq 0 ]]; then
        bad_arg "--tls-san '' is not a DNS name or IP address"
      fi
      TLS_SANS+=("${sans[@]+"${sans[@]}"}")
      ;;
    --heartbeat-interval-ms) HEARTBEAT_MS="$2" ;;
  esac
}

parse_args "$@"

# ---------------------------------------------------------------- validation
valid_port "${HTTP_PORT}" || bad_arg "--http-port '${HTTP_PORT}' must be a port number 1-65535"
valid_port "${GRPC_PORT}" || bad_arg "--grpc-port '${GRPC_PORT}' must be a port number 1-65535"
if valid_port "${HTTP_PORT}" && valid_port "${GRPC_PORT}" && ((10#${HTTP_PORT} == 10#${GRPC_PORT})); then
  bad_arg "--http-port and --grpc-port must differ (both ${HTTP_PORT})"
fi
valid_address "${HTTP_HOST}" || bad_arg "--http-host '${HTTP_HOST}' is not an IPv4 or IPv6 address"
valid_address "${GRPC_HOST}" || bad_arg "--grpc-host '${GRPC_HOST}' is not an IPv4 or IPv6 address"

SANS_OK=()
for san in "${TLS_SANS[@]+"${TLS_SANS[@]}"}"; do
  if [[ "${san}" =~ ^(\*\.)?[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$ ]] || valid_address "${san}"; then
    dup=0
    for s in "${SANS_OK[@]+"${SANS_OK[@]}"}"; do
      [[ "${s}" == "${san}" ]] && dup=1
    done
    [[ ${dup} -eq 1 ]] || SANS_OK+=("${san}")
  else
    bad_arg "--tls-san '${san}' is not a DNS name or IP address"
  fi
done

if ! [[ "${HEARTBEAT_MS}" =~ ^[0-9]{2,7}$ ]] || ((10#${HEARTBEAT_MS} < 50)); then
  bad_arg "--heartbeat-interval-ms '${HEARTBEAT_MS}' must be a number of milliseconds (50-9999999)"
fi

# --log-level, --prefix, --root; exits 2 if anything above was wrong.
check_common_options
check_environment

# ---------------------------------------------------------------- controller.env
SANS_JOINED=""
if [[ ${#SANS_OK[@]} -gt 0 ]]; then
  SANS_JOINED="$(IFS=','; printf '%s' "${SANS_OK[*]}")"
fi

if [[ -n "${SANS_JOINED}" ]]; then
  SANS_LINE="IMAGELIB_TLS_SANS=${SANS_JOINED}"
else
  SANS_LINE="# IMAGELIB_TLS_SANS=controller.example.org,192.0.2.10 (extra certificate names: none given)"
fi

# Values are validated above: none needs quoting.
CONFIG_CONTENT="# Image Library controller configuration, read by ${SERVICE}.service.
# Written by ${PROG}; after editing: systemctl restart ${SERVICE}
# (IMAGELIB_DATA_DIR must stay writable for the unit: see its ReadWritePaths=).
IMAGELIB_DATA_DIR=${DATA_DIR}
IMAGELIB_HTTP_HOST=${HTTP_HOST}
IMAGELIB_HTTP_PORT=${HTTP_PORT}
IMAGELIB_GRPC_HOST=${GRPC_HOST}
IMAGELIB_GRPC_PORT=${GRPC_PORT}
IMAGELIB_HEARTBEAT_INTERVAL_MS=${HEARTBEAT_MS}
${SANS_LINE}
IMAGELIB_LOG_LEVEL=${LOG_LEVEL}"

existing_config="${ROOT}${CONFIG_FILE}"
if [[ -f "${existing_config}" ]] && ! printf '%s\n' "${CONFIG_CONTENT}" | cmp -s -- - "${existing_config}"; then
  if [[ ${FORCE} -eq 0 ]]; then
    printf '%s\n' "${CONFIG_CONTENT}" | diff -u --label "${existing_config} (current)" --label "(new)" -- "${existing_config}" - >&2 || true
    die "${existing_config} already exists with different settings; not overwriting it (use --force to replace it)"
  fi
  warn "replacing ${existing_config} with different settings (--force)"
fi

# ---------------------------------------------------------------- unit
UNIT_CONTENT="$(unit_content)"

# ---------------------------------------------------------------- install
ensure_user
ensure_dir "${CONFIG_DIR}" 0750 "root:${SERVICE_GROUP}"
ensure_dir "${DATA_DIR}" 0700 "${SERVICE_USER}:${SERVICE_GROUP}"
install_file "${CONFIG_CONTENT}" "${CONFIG_FILE}" 0640 "root:${SERVICE_GROUP}"
install_unit "${UNIT_CONTENT}"

# ---------------------------------------------------------------- systemd
enable_service "set -a; . ${CONFIG_FILE}; set +a; /usr/bin/node ${PREFIX}/apps/controller/dist/main.js"

# ---------------------------------------------------------------- next steps
# hostname -f may query DNS: bound it.
API_HOST="$(timeout 2 hostname -f 2>/dev/null || hostname 2>/dev/null || true)"
API_HOST="${API_HOST:-HOST}"

log_done
cat <<EOF

The controller writes its admin token on first start to:
  ${ADMIN_TOKEN_FILE}
(readable by root and ${SERVICE_USER} only).

Create a join token for a new host (as root, on this host):
  curl -H "Authorization: Bearer \$(cat ${ADMIN_TOKEN_FILE})" -X POST http://${API_HOST}:${HTTP_PORT}/api/v1/join-tokens -H 'content-type: application/json' -d '{}'

Then on each host, with that token and the controller CA hash (sha256:...):
  tools/install-agent.sh --controller ${API_HOST}:${GRPC_PORT} --join-token TOKEN --ca-cert-hash sha256:HEX

Status: systemctl status ${SERVICE}; logs: journalctl -u ${SERVICE} -f
EOF
