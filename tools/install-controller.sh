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
readonly SERVICE_USER=imagelib
readonly SERVICE_GROUP=imagelib
readonly DEFAULT_PREFIX=/opt/imagelib
readonly CONFIG_DIR=/etc/imagelib
readonly CONFIG_FILE=/etc/imagelib/controller.env
readonly UNIT_DIR=/etc/systemd/system
readonly DATA_DIR=/var/lib/imagelib-controller
readonly ADMIN_TOKEN_FILE=/var/lib/imagelib-controller/admin-token
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SCRIPT_DIR
readonly UNIT_SOURCE="${SCRIPT_DIR}/systemd/${SERVICE}.service"
PROG="$(basename "$0")"
readonly PROG

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

log() { printf '%s: %s\n' "${PROG}" "$*"; }
warn() { printf '%s: warning: %s\n' "${PROG}" "$*" >&2; }
die() { printf '%s: error: %s\n' "${PROG}" "$*" >&2; exit 1; }

ERRORS=()
bad_arg() { ERRORS+=("$*"); }

# ---------------------------------------------------------------- arguments
HTTP_PORT=8080
GRPC_PORT=9443
HTTP_HOST=0.0.0.0
GRPC_HOST=0.0.0.0
TLS_SANS=()
HEARTBEAT_MS=1000
LOG_LEVEL=info
PREFIX="${DEFAULT_PREFIX}"
ROOT=""
NO_START=0
FORCE=0

while [[ $# -gt 0 ]]; do
  opt="$1"
  shift
  value=""
  has_value=0
  case "${opt}" in
    --*=*)
      value="${opt#*=}"
      opt="${opt%%=*}"
      has_value=1
      ;;
  esac
  case "${opt}" in
    -h | --help)
      usage
      exit 0
      ;;
    --no-start | --force)
      if [[ ${has_value} -eq 1 ]]; then
        bad_arg "option ${opt} takes no value"
      elif [[ "${opt}" == --no-start ]]; then
        NO_START=1
      else
        FORCE=1
      fi
      continue
      ;;
    --http-port | --grpc-port | --http-host | --grpc-host | --tls-san | --heartbeat-interval-ms | --log-level | --prefix | --root)
      if [[ ${has_value} -eq 0 ]]; then
        if [[ $# -eq 0 || "$1" == --* ]]; then
          bad_arg "option ${opt} requires a value"
          continue
        fi
        value="$1"
        shift
      fi
      ;;
    *)
      bad_arg "unknown argument: ${opt}"
      continue
      ;;
  esac
  case "${opt}" in
    --http-port) HTTP_PORT="${value}" ;;
    --grpc-port) GRPC_PORT="${value}" ;;
    --http-host) HTTP_HOST="${value}" ;;
    --grpc-host) GRPC_HOST="${value}" ;;
    --tls-san)
      IFS=',' read -r -a sans <<<"${value}"
      if [[ ${#sans[@]} -eq 0 ]]; then
        bad_arg "--tls-san '' is not a DNS name or IP address"
      fi
      TLS_SANS+=("${sans[@]+"${sans[@]}"}")
      ;;
    --heartbeat-interval-ms) HEARTBEAT_MS="${value}" ;;
    --log-level) LOG_LEVEL="${value}" ;;
    --prefix) PREFIX="${value}" ;;
    --root) ROOT="${value}" ;;
  esac
done

# ---------------------------------------------------------------- validation
valid_port() {
  [[ "$1" =~ ^[0-9]{1,5}$ ]] && ((10#$1 >= 1 && 10#$1 <= 65535))
}
valid_address() {
  [[ "$1" =~ ^([0-9]{1,3}\.){3}[0-9]{1,3}$ || "$1" =~ ^[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*$ ]]
}

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

case "${LOG_LEVEL}" in
  debug | info | warn | error) ;;
  *) bad_arg "--log-level '${LOG_LEVEL}' must be one of debug, info, warn, error" ;;
esac

# The prefix ends up in ExecStart= and in a sed replacement: keep it plain.
PREFIX_ARG="${PREFIX}"
PREFIX="${PREFIX%"${PREFIX##*[!/]}"}" # strip trailing slashes
if ! [[ "${PREFIX}" =~ ^/[A-Za-z0-9._/-]+$ ]]; then
  bad_arg "--prefix '${PREFIX_ARG}' must be an absolute path of A-Z a-z 0-9 . _ - / characters (not /)"
fi

if [[ "${ROOT}" == *$'\n'* ]]; then
  bad_arg "--root must not contain a newline"
fi

if [[ ${#ERRORS[@]} -gt 0 ]]; then
  for e in "${ERRORS[@]}"; do
    printf '%s: error: %s\n' "${PROG}" "${e}" >&2
  done
  printf "Run '%s --help' for usage.\n" "${PROG}" >&2
  exit 2
fi

if [[ -n "${ROOT}" ]]; then
  if ! mkdir -p -- "${ROOT}" 2>/dev/null; then
    printf '%s: error: --root %s cannot be created\n' "${PROG}" "${ROOT}" >&2
    exit 2
  fi
  ROOT="$(cd -- "${ROOT}" && pwd -P)"
  [[ "${ROOT}" == / ]] && ROOT=""
fi

# ---------------------------------------------------------------- environment
DRY_SYSTEM=0 # 1: do not touch users or systemctl, only print what would be done
if [[ -n "${ROOT}" ]]; then
  DRY_SYSTEM=1
elif [[ "$(id -u)" -ne 0 ]]; then
  die "must run as root (or use --root DIR to write the files under DIR)"
fi

[[ -f "${UNIT_SOURCE}" ]] || die "unit file not found: ${UNIT_SOURCE}"

if [[ ${DRY_SYSTEM} -eq 0 ]]; then
  [[ -f "${PREFIX}/apps/controller/dist/main.js" ]] ||
    warn "${PREFIX}/apps/controller/dist/main.js does not exist: check out the repository there and run 'npm ci && npm run build'"
  [[ -x /usr/bin/node ]] || warn "/usr/bin/node does not exist: the unit runs /usr/bin/node (install Node.js >= 20.19)"
fi

CHANGED=0
CHOWN_OK=1

run_or_print() {
  if [[ ${DRY_SYSTEM} -eq 1 ]]; then
    log "would run: $*"
  else
    log "running: $*"
    "$@"
  fi
}

nologin_shell() {
  local s
  for s in /usr/sbin/nologin /sbin/nologin /bin/false; do
    if [[ -x "${s}" ]]; then
      printf '%s' "${s}"
      return
    fi
  done
  printf '/usr/sbin/nologin'
}

ensure_user() {
  if ! getent group "${SERVICE_GROUP}" >/dev/null; then
    run_or_print groupadd --system "${SERVICE_GROUP}"
  fi
  if ! getent passwd "${SERVICE_USER}" >/dev/null; then
    run_or_print useradd --system --no-create-home --home-dir /nonexistent \
      --shell "$(nologin_shell)" --gid "${SERVICE_GROUP}" "${SERVICE_USER}"
  fi
  if [[ ${DRY_SYSTEM} -eq 1 ]]; then
    if ! getent passwd "${SERVICE_USER}" >/dev/null || ! getent group "${SERVICE_GROUP}" >/dev/null; then
      log "user ${SERVICE_USER} does not exist here: not changing file ownership"
      CHOWN_OK=0
    elif [[ "$(id -u)" -ne 0 ]]; then
      log "not running as root: not changing file ownership"
      CHOWN_OK=0
    fi
  fi
}

# set_owner OWNER:GROUP PATH: chown unless ownership changes are off.
set_owner() {
  if [[ ${CHOWN_OK} -eq 1 ]]; then
    chown -- "$1" "$2"
  fi
}

# ensure_dir PATH MODE OWNER:GROUP (PATH without the root prefix)
ensure_dir() {
  local path="${ROOT}$1"
  if [[ ! -d "${path}" ]]; then
    mkdir -p -- "${path}"
    log "created ${path}"
  fi
  chmod -- "$2" "${path}"
  set_owner "$3" "${path}"
}

TMP_FILE=""
trap 'if [[ -n "${TMP_FILE}" ]]; then rm -f -- "${TMP_FILE}"; fi' EXIT

# install_file CONTENT DEST MODE OWNER:GROUP: atomically replace DEST (under the
# root) with CONTENT (plus a final newline) when it differs; always fixes mode
# and owner.
install_file() {
  local content="$1" dest="${ROOT}$2"
  if [[ -f "${dest}" ]] && printf '%s\n' "${content}" | cmp -s -- - "${dest}"; then
    log "${dest} is up to date"
  else
    TMP_FILE="$(mktemp "${dest}.XXXXXX")"
    printf '%s\n' "${content}" >"${TMP_FILE}"
    chmod -- "$3" "${TMP_FILE}"
    set_owner "$4" "${TMP_FILE}"
    mv -f -- "${TMP_FILE}" "${dest}"
    TMP_FILE=""
    log "wrote ${dest}"
    CHANGED=1
  fi
  chmod -- "$3" "${dest}"
  set_owner "$4" "${dest}"
}

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
# The prefix is validated above: no sed metacharacters other than '.' and '/'
# (which are literal in the replacement).
UNIT_CONTENT="$(sed "s|${DEFAULT_PREFIX}/|${PREFIX}/|g" -- "${UNIT_SOURCE}")"

# ---------------------------------------------------------------- install
ensure_user
ensure_dir "${CONFIG_DIR}" 0750 "root:${SERVICE_GROUP}"
ensure_dir "${DATA_DIR}" 0700 "${SERVICE_USER}:${SERVICE_GROUP}"
install_file "${CONFIG_CONTENT}" "${CONFIG_FILE}" 0640 "root:${SERVICE_GROUP}"
ensure_dir "${UNIT_DIR}" 0755 root:root
install_file "${UNIT_CONTENT}" "${UNIT_DIR}/${SERVICE}.service" 0644 root:root

# ---------------------------------------------------------------- systemd
if [[ ${DRY_SYSTEM} -eq 0 ]] && { ! command -v systemctl >/dev/null || [[ ! -d /run/systemd/system ]]; }; then
  warn "systemd is not running on this host: not enabling ${SERVICE}; start it by hand:"
  warn "  set -a; . ${CONFIG_FILE}; set +a; /usr/bin/node ${PREFIX}/apps/controller/dist/main.js"
else
  was_active=0
  if [[ ${DRY_SYSTEM} -eq 0 ]] && systemctl is-active --quiet "${SERVICE}"; then
    was_active=1
  fi
  run_or_print systemctl daemon-reload
  if [[ ${NO_START} -eq 1 ]]; then
    run_or_print systemctl enable "${SERVICE}"
    if [[ ${was_active} -eq 1 && ${CHANGED} -eq 1 ]]; then
      log "${SERVICE} is running with the previous configuration: restart it to apply the new one"
    fi
  else
    run_or_print systemctl enable --now "${SERVICE}"
    if [[ ${was_active} -eq 1 && ${CHANGED} -eq 1 ]]; then
      # It was already running with the old configuration: apply the new one.
      run_or_print systemctl restart "${SERVICE}"
    fi
  fi
fi

# ---------------------------------------------------------------- next steps
# hostname -f may query DNS: bound it.
API_HOST="$(timeout 2 hostname -f 2>/dev/null || hostname 2>/dev/null || true)"
API_HOST="${API_HOST:-HOST}"

log "done: ${SERVICE} installed (configuration ${ROOT}${CONFIG_FILE}, unit ${ROOT}${UNIT_DIR}/${SERVICE}.service)"
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
