# shellcheck shell=bash
# What the scripts share: a temporary folder ($work) and the background processes started
# for them, both cleaned up on exit; a free loopback port; moto_server (or another command
# taking moto's `-H HOST -p PORT`) started and waited for; the latency proxy likewise.
# Source it after `cd` to the repository root: `. scripts/lib.sh`.

work="$(mktemp -d)"
# Background processes, one pid a line (a file, so that starting one in `$(...)` counts).
track() { echo "$1" >>"$work/pids"; }
cleanup() {
  if [ -f "$work/pids" ]; then
    while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$work/pids"
  fi
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# emulator_env KEY: credentials for the emulator only (KEY/KEY), region eu-west-1, and no
# profile files, endpoint or session from the caller's environment: nothing reaches AWS.
emulator_env() {
  export AWS_ACCESS_KEY_ID="$1" AWS_SECRET_ACCESS_KEY="$1" AWS_REGION=eu-west-1
  export AWS_DEFAULT_REGION=eu-west-1 AWS_EC2_METADATA_DISABLED=true
  export AWS_CONFIG_FILE="$work/no-config" AWS_SHARED_CREDENTIALS_FILE="$work/no-credentials"
  unset AWS_PROFILE AWS_ENDPOINT_URL AWS_SESSION_TOKEN AWS_CA_BUNDLE
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_moto [COMMAND ARGS...]: runs COMMAND (default moto_server) with `-H 127.0.0.1 -p PORT`
# on a free port, logging to $work/moto.PORT.log, waits until it answers, prints its URL.
start_moto() {
  local port url
  [ "$#" -gt 0 ] || set -- moto_server
  port="$(free_port)"
  "$@" -H 127.0.0.1 -p "$port" >"$work/moto.$port.log" 2>&1 &
  track "$!"
  url="http://127.0.0.1:$port"
  for _ in $(seq 100); do
    python3 -c "import urllib.request; urllib.request.urlopen('$url/moto-api/')" 2>/dev/null &&
      { echo "$url"; return 0; }
    sleep 0.2
  done
  echo "moto did not start; see $work/moto.$port.log" >&2
  return 1
}

# start_latency BINARY UPSTREAM_URL DELAY_MS: examples/latency_proxy in front of UPSTREAM_URL,
# delaying each direction by DELAY_MS; prints its URL.
start_latency() {
  local addr
  addr="$(mktemp "$work/latency.XXXXXX")"
  "$1" proxy --upstream "${2#http://}" --delay-ms "$3" >"$addr" &
  track "$!"
  for _ in $(seq 50); do
    [ -s "$addr" ] && { echo "http://$(cat "$addr")"; return 0; }
    sleep 0.1
  done
  echo "the latency proxy did not start" >&2
  return 1
}
