# shellcheck shell=bash
# What install-agent.sh and install-controller.sh share; not run on its own.
#
# The script sourcing this file first sets (readonly):
#   SERVICE        name of the systemd unit (tools/systemd/SERVICE.service)
#   APP            the app under the prefix (PREFIX/apps/APP/dist/main.js)
#   CONFIG_FILE    the configuration file it writes
#   VALUE_OPTIONS  its own options that take a value (--log-level, --prefix
#                  and --root are handled here)
# and defines usage() and set_option OPT VALUE (called by parse_args for each
# of VALUE_OPTIONS).

readonly SERVICE_USER=imagelib
readonly SERVICE_GROUP=imagelib
readonly DEFAULT_PREFIX=/opt/imagelib
# shellcheck disable=SC2034 # used by the sourcing script
readonly CONFIG_DIR=/etc/imagelib
readonly UNIT_DIR=/etc/systemd/system
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SCRIPT_DIR
readonly UNIT_SOURCE="${SCRIPT_DIR}/systemd/${SERVICE}.service"
PROG="$(basename "$0")"
readonly PROG

log() { printf '%s: %s\n' "${PROG}" "$*"; }
warn() { printf '%s: warning: %s\n' "${PROG}" "$*" >&2; }
die() { printf '%s: error: %s\n' "${PROG}" "$*" >&2; exit 1; }

ERRORS=()
bad_arg() { ERRORS+=("$*"); }

# ---------------------------------------------------------------- arguments
LOG_LEVEL=info
PREFIX="${DEFAULT_PREFIX}"
ROOT=""
NO_START=0
FORCE=0
NO_VALUE=() # options given without their value (already reported)

# is_one_of WORD [LIST...]: whether WORD is one of LIST.
is_one_of() {
  local word="$1" w
  shift
  for w in "$@"; do
    [[ "${w}" == "${word}" ]] && return 0
  done
  return 1
}

given_without_value() { is_one_of "$1" "${NO_VALUE[@]+"${NO_VALUE[@]}"}"; }

# parse_args ARGS...: collect the options (errors go to ERRORS, see
# check_common_options).
parse_args() {
  local opt value has_value
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
          # shellcheck disable=SC2034 # used by the sourcing script
          FORCE=1
        fi
        continue
        ;;
    esac
    if ! is_one_of "${opt}" --log-level --prefix --root "${VALUE_OPTIONS[@]}"; then
      bad_arg "unknown argument: ${opt}"
      continue
    fi
    if [[ ${has_value} -eq 0 ]]; then
      if [[ $# -eq 0 || "$1" == --* ]]; then
        bad_arg "option ${opt} requires a value"
        NO_VALUE+=("${opt}")
        continue
      fi
      value="$1"
      shift
    fi
    case "${opt}" in
      --log-level) LOG_LEVEL="${value}" ;;
      --prefix) PREFIX="${value}" ;;
      --root) ROOT="${value}" ;;
      *) set_option "${opt}" "${value}" ;;
    esac
  done
}

# ---------------------------------------------------------------- validation
valid_port() {
  [[ "$1" =~ ^[0-9]{1,5}$ ]] && ((10#$1 >= 1 && 10#$1 <= 65535))
}
valid_address() {
  [[ "$1" =~ ^([0-9]{1,3}\.){3}[0-9]{1,3}$ || "$1" =~ ^[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*$ ]]
}

# check_common_options: check --log-level, --prefix and --root after the
# script's own options; report every error and exit 2 if there is any;
# create and resolve the --root directory.
check_common_options() {
  case "${LOG_LEVEL}" in
    debug | info | warn | error) ;;
    *) bad_arg "--log-level '${LOG_LEVEL}' must be one of debug, info, warn, error" ;;
  esac

  # The prefix ends up in ExecStart= and in a sed replacement: keep it plain.
  local prefix_arg="${PREFIX}"
  PREFIX="${PREFIX%"${PREFIX##*[!/]}"}" # strip trailing slashes
  if ! [[ "${PREFIX}" =~ ^/[A-Za-z0-9._/-]+$ ]]; then
    bad_arg "--prefix '${prefix_arg}' must be an absolute path of A-Z a-z 0-9 . _ - / characters (not /)"
  fi

  if [[ "${ROOT}" == *$'\n'* ]]; then
    bad_arg "--root must not contain a newline"
  fi

  if [[ ${#ERRORS[@]} -gt 0 ]]; then
    local e
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
  return 0
}

# ---------------------------------------------------------------- environment
DRY_SYSTEM=0 # 1: do not touch users or systemctl, only print what would be done

check_environment() {
  if [[ -n "${ROOT}" ]]; then
    DRY_SYSTEM=1
  elif [[ "$(id -u)" -ne 0 ]]; then
    die "must run as root (or use --root DIR to write the files under DIR)"
  fi

  [[ -f "${UNIT_SOURCE}" ]] || die "unit file not found: ${UNIT_SOURCE}"

  if [[ ${DRY_SYSTEM} -eq 0 ]]; then
    [[ -f "${PREFIX}/apps/${APP}/dist/main.js" ]] ||
      warn "${PREFIX}/apps/${APP}/dist/main.js does not exist: check out the repository there and run 'npm ci && npm run build'"
    [[ -x /usr/bin/node ]] || warn "/usr/bin/node does not exist: the unit runs /usr/bin/node (install Node.js >= 20.19)"
  fi
  return 0
}

# ---------------------------------------------------------------- install
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

# unit_content: the unit file with the prefix substituted. The prefix is
# validated (check_common_options): no sed metacharacters other than '.' and
# '/' (which are literal in the replacement).
unit_content() {
  sed "s|${DEFAULT_PREFIX}/|${PREFIX}/|g" -- "${UNIT_SOURCE}"
}

# install_unit CONTENT: write the unit file.
install_unit() {
  ensure_dir "${UNIT_DIR}" 0755 root:root
  install_file "$1" "${UNIT_DIR}/${SERVICE}.service" 0644 root:root
}

# ---------------------------------------------------------------- systemd
# enable_service HAND_START: enable (and unless --no-start, start or restart)
# the service; without systemd, print HAND_START, the command to start it by
# hand.
enable_service() {
  if [[ ${DRY_SYSTEM} -eq 0 ]] && { ! command -v systemctl >/dev/null || [[ ! -d /run/systemd/system ]]; }; then
    warn "systemd is not running on this host: not enabling ${SERVICE}; start it by hand:"
    warn "  $1"
    return 0
  fi
  local was_active=0
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
  return 0
}

log_done() {
  log "done: ${SERVICE} installed (configuration ${ROOT}${CONFIG_FILE}, unit ${ROOT}${UNIT_DIR}/${SERVICE}.service)"
}
