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
readonly APP=agent
readonly CONFIG_FILE=/etc/imagelib/agent.json
readonly STATE_DIR=/var/lib/imagelib-agent
readonly REPO_ROOT_DIR=/var/lib/imagelib
readonly IMAGES_DIR=/var/lib/imagelib/images
readonly VALUE_OPTIONS=(--controller --join-token --ca-cert-hash --region --hostname --bind-address)

# shellcheck source-path=SCRIPTDIR source=install-common.sh
. "$(dirname "${BASH_SOURCE[0]}")/install-common.sh"

usage() {
  cat <<EOF
Usage: ${PROG} --controller HOST:PORT --join-token TOKEN --ca-cert-hash sha256:HEX [options]

Installs the Image Library agent as the systemd service ${SERVICE}.

Required:
  --controller HOST:PORT     the controller's gRPC address (HOST: DNS name, IPv4, or [IPv6]);
                             several controllers: HOST:PORT,HOST:PORT with IP addresses
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

# ---------------------------------------------------------------- arguments
CONTROLLER=""
JOIN_TOKEN="${IMAGELIB_JOIN_TOKEN:-}"
CA_CERT_HASH=""
REGION="default"
HOST_NAME=""
BIND_ADDRESS="0.0.0.0"
SEEN_CONTROLLER=0
SEEN_HASH=0

# set_option OPT VALUE: one of VALUE_OPTIONS (called by parse_args).
set_option() {
  case "$1" in
    --controller) CONTROLLER="$2" SEEN_CONTROLLER=1 ;;
    --join-token) JOIN_TOKEN="$2" ;;
    --ca-cert-hash) CA_CERT_HASH="$2" SEEN_HASH=1 ;;
    --region) REGION="$2" ;;
    --hostname) HOST_NAME="$2" ;;
    --bind-address) BIND_ADDRESS="$2" ;;
  esac
}

parse_args "$@"

# ---------------------------------------------------------------- validation
if given_without_value --controller; then
  :
elif [[ ${SEEN_CONTROLLER} -eq 0 ]]; then
  bad_arg "missing required option --controller HOST:PORT"
else
  IFS=',' read -r -a CONTROLLER_ADDRESSES <<< "${CONTROLLER}"
  for address in "${CONTROLLER_ADDRESSES[@]}"; do
    if [[ "${address}" =~ ^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):([0-9]+)$ ]]; then
      if ! valid_port "${BASH_REMATCH[3]}"; then
        bad_arg "--controller '${address}': port must be 1-65535"
      fi
    else
      bad_arg "--controller '${address}' is not HOST:PORT (e.g. controller.example.org:9443, 10.0.0.5:9443, [fd00::5]:9443)"
    fi
  done
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

if ! valid_address "${BIND_ADDRESS}"; then
  bad_arg "--bind-address '${BIND_ADDRESS}' is not an IPv4 or IPv6 address"
fi

# --log-level, --prefix, --root; exits 2 if anything above was wrong.
check_common_options
check_environment

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
UNIT_CONTENT="$(unit_content)"

# ---------------------------------------------------------------- install
ensure_user
ensure_dir "${CONFIG_DIR}" 0750 "root:${SERVICE_GROUP}"
ensure_dir "${STATE_DIR}" 0700 "${SERVICE_USER}:${SERVICE_GROUP}"
ensure_dir "${REPO_ROOT_DIR}" 0750 "${SERVICE_USER}:${SERVICE_GROUP}"
ensure_dir "${IMAGES_DIR}" 0750 "${SERVICE_USER}:${SERVICE_GROUP}"
install_file "${CONFIG_CONTENT}" "${CONFIG_FILE}" 0600 "${SERVICE_USER}:${SERVICE_GROUP}"
install_unit "${UNIT_CONTENT}"

# ---------------------------------------------------------------- systemd
enable_service "NODE_OPTIONS=--max-semi-space-size=2 MALLOC_TRIM_THRESHOLD_=131072 /usr/bin/node ${PREFIX}/apps/agent/dist/main.js --config ${CONFIG_FILE}"

log_done
if [[ ${DRY_SYSTEM} -eq 0 ]]; then
  log "status: systemctl status ${SERVICE}; logs: journalctl -u ${SERVICE} -f"
fi
