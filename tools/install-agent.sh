#!/usr/bin/env bash
# Install the Image Library agent on this host as a systemd service.
#
# The repository must already be installed (checked out, `npm ci && npm run build`)
# under the prefix (default /opt/imagelib). This script creates the `imagelib`
# system user, the state directories, /etc/imagelib/agent.json and the
# imagelib-agent.service unit, then enables and starts the service.
# Run `install-agent.sh --help` for the options.
set -euo pipefail

readonly SERVICE=imagelib-agent
readonly SERVICE_USER=imagelib
readonly SERVICE_GROUP=imagelib
readonly DEFAULT_PREFIX=/opt/imagelib
readonly CONFIG_DIR=/etc/imagelib
readonly CONFIG_FILE=/etc/imagelib/agent.json
readonly UNIT_DIR=/etc/systemd/system
readonly STATE_DIR=/var/lib/imagelib-agent
readonly REPO_ROOT_DIR=/var/lib/imagelib
readonly IMAGES_DIR=/var/lib/imagelib/images
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SCRIPT_DIR
readonly UNIT_SOURCE="${SCRIPT_DIR}/systemd/${SERVICE}.service"
PROG="$(basename "$0")"
readonly PROG

usage() {
  cat <<EOF
Usage: ${PROG} --controller HOST:PORT --join-token TOKEN --ca-cert-hash sha256:HEX [options]

Installs the Image Library agent as the systemd service ${SERVICE}.

Required:
  --controller HOST:PORT     the controller's gRPC address (HOST: DNS name, IPv4, or [IPv6])
  --join-token TOKEN         join token created on the controller
                             (or set IMAGELIB_JOIN_TOKEN to keep it off the command line)
  --ca-cert-hash sha256:HEX  SHA-256 pin of the controller CA (64 hex digits)

Options:
  --region NAME              region of this host (default: default)
  --hostname NAME            name the host reports (default: the system hostname)
  --bind-address ADDR        address the image service binds (default: 0.0.0.0)
  --log-level LEVEL          debug|info|warn|error (default: info)
  --prefix DIR               where the repository is installed (default: ${DEFAULT_PREFIX})
  --root DIR                 write every file under DIR instead of /; create no user,
                             run no systemctl (only print what would be done)
  --no-start                 enable the service but do not start it
  --force                    replace an existing ${CONFIG_FILE} with a different join token
  -h, --help                 show this help

Files: ${CONFIG_FILE} (0600 ${SERVICE_USER}), ${STATE_DIR} (0700),
${IMAGES_DIR} (0750, the default image repository), ${UNIT_DIR}/${SERVICE}.service.
Running it again with the same arguments changes nothing.

An image repository outside ${REPO_ROOT_DIR} needs a drop-in adding it to
ReadWritePaths= (systemctl edit ${SERVICE}); see the comments in the unit file.
EOF
}

log() { printf '%s: %s\n' "${PROG}" "$*"; }
warn() { printf '%s: warning: %s\n' "${PROG}" "$*" >&2; }
die() { printf '%s: error: %s\n' "${PROG}" "$*" >&2; exit 1; }

ERRORS=()
bad_arg() { ERRORS+=("$*"); }

# ---------------------------------------------------------------- arguments
CONTROLLER=""
JOIN_TOKEN="${IMAGELIB_JOIN_TOKEN:-}"
CA_CERT_HASH=""
REGION="default"
HOST_NAME=""
BIND_ADDRESS="0.0.0.0"
LOG_LEVEL="info"
PREFIX="${DEFAULT_PREFIX}"
ROOT=""
NO_START=0
FORCE=0
SEEN_CONTROLLER=0
SEEN_HASH=0
NO_VALUE=() # options given without their value (already reported)

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
    --controller | --join-token | --ca-cert-hash | --region | --hostname | --bind-address | --log-level | --prefix | --root)
      if [[ ${has_value} -eq 0 ]]; then
        if [[ $# -eq 0 || "$1" == --* ]]; then
          bad_arg "option ${opt} requires a value"
          NO_VALUE+=("${opt}")
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
    --controller) CONTROLLER="${value}" SEEN_CONTROLLER=1 ;;
    --join-token) JOIN_TOKEN="${value}" ;;
    --ca-cert-hash) CA_CERT_HASH="${value}" SEEN_HASH=1 ;;
    --region) REGION="${value}" ;;
    --hostname) HOST_NAME="${value}" ;;
    --bind-address) BIND_ADDRESS="${value}" ;;
    --log-level) LOG_LEVEL="${value}" ;;
    --prefix) PREFIX="${value}" ;;
    --root) ROOT="${value}" ;;
  esac
done

# ---------------------------------------------------------------- validation
given_without_value() {
  local o
  for o in "${NO_VALUE[@]+"${NO_VALUE[@]}"}"; do
    [[ "${o}" == "$1" ]] && return 0
  done
  return 1
}

valid_port() {
  [[ "$1" =~ ^[0-9]{1,5}$ ]] && ((10#$1 >= 1 && 10#$1 <= 65535))
}

if given_without_value --controller; then
  :
elif [[ ${SEEN_CONTROLLER} -eq 0 ]]; then
  bad_arg "missing required option --controller HOST:PORT"
elif [[ "${CONTROLLER}" =~ ^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):([0-9]+)$ ]]; then
  if ! valid_port "${BASH_REMATCH[3]}"; then
    bad_arg "--controller '${CONTROLLER}': port must be 1-65535"
  fi
else
  bad_arg "--controller '${CONTROLLER}' is not HOST:PORT (e.g. controller.example.org:9443, 10.0.0.5:9443, [fd00::5]:9443)"
fi

if given_without_value --join-token; then
  :
elif [[ -z "${JOIN_TOKEN}" ]]; then
  bad_arg "missing required option --join-token TOKEN"
elif ! [[ "${JOIN_TOKEN}" =~ ^[A-Za-z0-9._~+/=-]{6,1024}$ ]]; then
  bad_arg "--join-token is not a valid token (6-1024 characters of A-Z a-z 0-9 . _ ~ + / = -)"
fi

if given_without_value --ca-cert-hash; then
  :
elif [[ ${SEEN_HASH} -eq 0 ]]; then
  bad_arg "missing required option --ca-cert-hash sha256:HEX"
elif [[ "${CA_CERT_HASH}" =~ ^sha256:[0-9A-Fa-f]{64}$ ]]; then
  CA_CERT_HASH="sha256:$(printf '%s' "${CA_CERT_HASH#sha256:}" | tr 'A-F' 'a-f')"
else
  bad_arg "--ca-cert-hash '${CA_CERT_HASH}' is not sha256:<64 hex digits>"
fi

if ! [[ "${REGION}" =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$ ]]; then
  bad_arg "--region '${REGION}' must be 1-63 characters of A-Z a-z 0-9 . _ - starting with a letter or digit"
fi

if [[ -n "${HOST_NAME}" ]] && ! [[ "${HOST_NAME}" =~ ^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$ ]]; then
  bad_arg "--hostname '${HOST_NAME}' is not a valid host name"
fi

if ! [[ "${BIND_ADDRESS}" =~ ^([0-9]{1,3}\.){3}[0-9]{1,3}$ || "${BIND_ADDRESS}" =~ ^[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*$ ]]; then
  bad_arg "--bind-address '${BIND_ADDRESS}' is not an IPv4 or IPv6 address"
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
  [[ -f "${PREFIX}/apps/agent/dist/main.js" ]] ||
    warn "${PREFIX}/apps/agent/dist/main.js does not exist: check out the repository there and run 'npm ci && npm run build'"
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
    TMP_FILE="$(mktemp "${dest}.XXXXXX")" # created 0600: no window with a readable secret
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

# ---------------------------------------------------------------- agent.json
json_config() {
  local lines=(
    "\"controllerAddress\": \"${CONTROLLER}\""
    "\"joinToken\": \"${JOIN_TOKEN}\""
    "\"caCertHash\": \"${CA_CERT_HASH}\""
    "\"stateDir\": \"${STATE_DIR}\""
    "\"bindAddress\": \"${BIND_ADDRESS}\""
    "\"region\": \"${REGION}\""
  )
  if [[ -n "${HOST_NAME}" ]]; then
    lines+=("\"hostname\": \"${HOST_NAME}\"")
  fi
  lines+=("\"logLevel\": \"${LOG_LEVEL}\"")
  local i last=$((${#lines[@]} - 1))
  printf '{\n'
  for i in "${!lines[@]}"; do
    if [[ ${i} -lt ${last} ]]; then
      printf '  %s,\n' "${lines[${i}]}"
    else
      printf '  %s\n' "${lines[${i}]}"
    fi
  done
  printf '}\n'
}

# Values are validated above to characters that need no JSON escaping.
CONFIG_CONTENT="$(json_config)"

existing_config="${ROOT}${CONFIG_FILE}"
if [[ -f "${existing_config}" ]]; then
  existing_token="$(sed -n 's/^[[:space:]]*"joinToken"[[:space:]]*:[[:space:]]*"\([^"]*\)".*$/\1/p' -- "${existing_config}" | head -n 1)"
  if [[ "${existing_token}" != "${JOIN_TOKEN}" ]]; then
    if [[ ${FORCE} -eq 0 ]]; then
      die "${existing_config} already exists with a different join token; not overwriting it (use --force to replace it)"
    fi
    warn "replacing ${existing_config} with a new join token (--force); an identity already in ${ROOT}${STATE_DIR} is kept: remove it to enrol this host again"
  fi
fi

# ---------------------------------------------------------------- unit
# The prefix is validated above: no sed metacharacters other than '.' and '/'
# (which are literal in the replacement).
UNIT_CONTENT="$(sed "s|${DEFAULT_PREFIX}/|${PREFIX}/|g" -- "${UNIT_SOURCE}")"

# ---------------------------------------------------------------- install
ensure_user
ensure_dir "${CONFIG_DIR}" 0750 "root:${SERVICE_GROUP}"
ensure_dir "${STATE_DIR}" 0700 "${SERVICE_USER}:${SERVICE_GROUP}"
ensure_dir "${REPO_ROOT_DIR}" 0750 "${SERVICE_USER}:${SERVICE_GROUP}"
ensure_dir "${IMAGES_DIR}" 0750 "${SERVICE_USER}:${SERVICE_GROUP}"
install_file "${CONFIG_CONTENT}" "${CONFIG_FILE}" 0600 "${SERVICE_USER}:${SERVICE_GROUP}"
ensure_dir "${UNIT_DIR}" 0755 root:root
install_file "${UNIT_CONTENT}" "${UNIT_DIR}/${SERVICE}.service" 0644 root:root

# ---------------------------------------------------------------- systemd
if [[ ${DRY_SYSTEM} -eq 0 ]] && { ! command -v systemctl >/dev/null || [[ ! -d /run/systemd/system ]]; }; then
  warn "systemd is not running on this host: not enabling ${SERVICE}; start it by hand:"
  warn "  /usr/bin/node ${PREFIX}/apps/agent/dist/main.js --config ${CONFIG_FILE}"
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

log "done: ${SERVICE} installed (configuration ${ROOT}${CONFIG_FILE}, unit ${ROOT}${UNIT_DIR}/${SERVICE}.service)"
if [[ ${DRY_SYSTEM} -eq 0 ]]; then
  log "status: systemctl status ${SERVICE}; logs: journalctl -u ${SERVICE} -f"
fi
