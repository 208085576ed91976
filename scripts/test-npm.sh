#!/usr/bin/env bash
# The npm packages, tested for real: builds the binary for this machine, packs the
# main and platform packages (scripts/package-npm.sh), serves the tarballs from a local
# registry (scripts/npm_registry.py, so npm and yarn choose the platform package by os/cpu as
# they will from the public one), installs them into fresh Node projects with npm and with
# yarn, and runs `secrets` through each against a local moto: --version, `get` with the
# value checked through bash, an exit code passed through, and `yarn secrets create` on a pty.
# It packs the ordinary debug build (the one `cargo test` makes): the dist profile's LTO
# would add minutes and test nothing more here. Run by scripts/test.sh; needs node/npm,
# python3 and moto (test.sh installs moto).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) target=x86_64-unknown-linux-gnu ;;
  Linux-aarch64 | Linux-arm64) target=aarch64-unknown-linux-gnu ;;
  Darwin-x86_64) target=x86_64-apple-darwin ;;
  Darwin-arm64) target=aarch64-apple-darwin ;;
  *) echo "test-npm: no npm package is built for $(uname -sm)" >&2; exit 1 ;;
esac
if [ ! -x .tools/yarn/node_modules/.bin/yarn ]; then
  echo "test-npm: installing yarn 1 (npm) into .tools/yarn/" >&2
  npm install --silent --prefix .tools/yarn --no-save --no-audit --no-fund yarn@1.22.22
fi
yarn="$root/.tools/yarn/node_modules/.bin/yarn"
# The binary `cargo test` builds (target/debug/secrets): `cargo build` would build it again,
# since the tests' dev-dependencies change some dependencies' features.
cargo test --locked --no-run --quiet

# shellcheck source=scripts/lib.sh
. scripts/lib.sh
fail() { echo "test-npm: FAILED: $*" >&2; exit 1; }

bash scripts/package-npm.sh "$work/dist" --stubs "$target=$root/target/debug/secrets" >/dev/null
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
name="$(tar -xOzf "$(echo "$work"/dist/*-"$version".tgz | tr ' ' '\n' | grep -v -e '-linux-' -e '-darwin-')" package/package.json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).name))')"
[ -n "$name" ] || fail "packages not built"
python3 scripts/npm_registry.py "$work/dist" >"$work/registry.url" &
track "$!"
for _ in $(seq 50); do [ -s "$work/registry.url" ] && break; sleep 0.1; done
registry="$(cat "$work/registry.url")"

moto_url="$(start_moto)"
emulator_env npmtest
export AWS_ENDPOINT_URL="$moto_url"
value="npm-value with 'quotes', \$HOME and
a second line"
python3 -c 'import boto3, os, sys; boto3.client("ssm", endpoint_url=os.environ["AWS_ENDPOINT_URL"]).put_parameter(Name="/k8s/npmtest/NPM_VALUE", Value=sys.argv[1], Type="SecureString")' "$value"

# Checks `secrets get` through a package manager's runner: the value, byte for byte.
check_get() {
  local runner="$1"
  rm -f .env.secret
  $runner secrets get npmtest >/dev/null 2>"$work/get.err" || fail "$runner secrets get: $(cat "$work/get.err")"
  # shellcheck disable=SC2016 # $NPM_VALUE is expanded by the inner bash
  got="$(bash -c '. ./.env.secret && printf %s "$NPM_VALUE"')"
  [ "$got" = "$value" ] || fail "$runner secrets get wrote another value"
  [ "$(stat -c %a .env.secret 2>/dev/null || stat -f %Lp .env.secret)" = 600 ] || fail ".env.secret is not 0600"
  set +e
  $runner secrets get no-such-project-npm >/dev/null 2>&1
  code=$?
  set -e
  [ "$code" = 4 ] || fail "$runner secrets get of an unknown project exited $code, not 4"
}

echo "test-npm: npm" >&2
mkdir -p "$work/npm-project/.git" && cd "$work/npm-project"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund --registry "$registry" --cache "$work/npm-cache" "$name@$version"
[ -d "node_modules/$name-$(node -p 'process.platform + "-" + process.arch')" ] || fail "npm did not install this platform's package"
[ "$(npx --no-install secrets --version)" = "secrets $version" ] || fail "npx secrets --version"
check_get "npx --no-install"
# `doctor` names the npm package it was run through (the launcher passes it on).
doctor="$(npx --no-install secrets doctor --json 2>/dev/null || true)"
case "$doctor" in *"(npm package $name@$version)"*) ;; *) fail "doctor through npx does not name the npm package" ;; esac
# Without this platform's package: one sentence naming it, exit 1.
platform_dir="node_modules/$name-$(node -p 'process.platform + "-" + process.arch')"
mv "$platform_dir" "$work/platform-aside"
set +e
npx --no-install secrets --version >/dev/null 2>"$work/missing.err"
code=$?
set -e
grep -q "the package $name-.* is not installed" "$work/missing.err" && [ "$code" = 1 ] ||
  fail "a missing platform package: exit $code, $(cat "$work/missing.err")"
mv "$work/platform-aside" "$platform_dir"

echo "test-npm: yarn" >&2
mkdir -p "$work/yarn-project/.git" && cd "$work/yarn-project"
echo '{"name": "yarn-project", "version": "1.0.0", "private": true}' >package.json
"$yarn" add --silent --non-interactive --no-progress --registry "$registry" \
  --cache-folder "$work/yarn-cache" "$name@$version" >/dev/null 2>"$work/yarn.err" ||
  fail "yarn add: $(cat "$work/yarn.err")"
installed="$(cd node_modules && echo "${name%%/*}"/*)"
[ "$installed" = "$name $name-$(node -p 'process.platform + "-" + process.arch')" ] ||
  fail "yarn installed $installed, not just this platform's package"
[ "$("$yarn" --silent secrets --version)" = "secrets $version" ] || fail "yarn secrets --version"
check_get "$yarn --silent"

# `yarn secrets create` on a terminal: every prompt answered, the value never on the screen.
python3 - "$yarn" <<'PY' || fail "yarn secrets create on a pty"
import os, pty, re, select, sys, termios, time
import boto3
value = "typed-through-yarn-42"
pid, fd = pty.fork()
if pid == 0:
    os.environ["TERM"] = "xterm"
    os.execvp(sys.argv[1], [sys.argv[1], "--silent", "secrets", "create"])
screen = b""
def expect(text, timeout=60):
    global screen
    end = time.time() + timeout
    while text.encode() not in re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", screen):
        ready, _, _ = select.select([fd], [], [], max(0.0, end - time.time()))
        if not ready:
            sys.exit(f"timed out waiting for {text!r}")
        try:
            screen += os.read(fd, 4096)
        except OSError:
            sys.exit(f"ended before {text!r}")
    clean = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", screen)
    screen = clean[clean.index(text.encode()) + len(text):]
def send(text):
    os.write(fd, text.encode())
# The hidden prompt turns echo off and drops what was typed before (as a password prompt
# does): type the value only once echo is off.
def when_hidden(timeout=30):
    end = time.time() + timeout
    while termios.tcgetattr(fd)[3] & termios.ECHO:
        if time.time() > end:
            sys.exit("the value prompt never turned echo off")
        time.sleep(0.01)
expect("Secret name"); send("npmtest/CREATED_KEY\r")
expect("Secret value"); when_hidden(); send(value + "\r")
expect("Repeat the value"); when_hidden(); send(value + "\r")
expect("SecureString?"); send("\r")
expect("Add tags?"); send("\r")
expect("Are you sure?"); send("y\r")
expect("Created /k8s/npmtest/CREATED_KEY (SecureString, version 1)")
rest = b""
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    rest += chunk
_, status = os.waitpid(pid, 0)
if os.waitstatus_to_exitcode(status) != 0:
    sys.exit(f"exit status {os.waitstatus_to_exitcode(status)}")
stored = boto3.client("ssm", endpoint_url=os.environ["AWS_ENDPOINT_URL"]).get_parameter(
    Name="/k8s/npmtest/CREATED_KEY", WithDecryption=True)["Parameter"]["Value"]
if stored != value:
    sys.exit("another value was stored")
PY
echo "test-npm: ok (npm and yarn installs, --version, get, exit code, create on a pty)" >&2
