#!/usr/bin/env bash
# Builds the npm packages from prebuilt binaries: one package per platform holding the binary
# and declaring its os/cpu, and the main package whose `secrets` command (npm/secrets.js)
# runs the right one, found through optionalDependencies, as esbuild and Biome do.
# Usage: scripts/package-npm.sh OUTDIR [--stubs] TARGET=BINARY...
#   TARGET is a Rust target release.yml builds; each gets its package, packed into OUTDIR.
#   --stubs also packs the other platforms' packages without a binary, so that an install
#   from tarballs alone, with no registry, can resolve every optional dependency (tests).
# The package name is set here only; NPM_PACKAGE overrides it. The version is Cargo.toml's.
set -euo pipefail
cd "$(dirname "$0")/.."
name="${NPM_PACKAGE:-@ssm-secrets/cli}"
out="$1"
shift
stubs=false
if [ "${1:-}" = "--stubs" ]; then stubs=true; shift; fi
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Rust target -> npm platform suffix (process.platform-process.arch).
suffix() {
  case "$1" in
    x86_64-unknown-linux-gnu) echo linux-x64 ;;
    aarch64-unknown-linux-gnu) echo linux-arm64 ;;
    x86_64-apple-darwin) echo darwin-x64 ;;
    aarch64-apple-darwin) echo darwin-arm64 ;;
    *) echo "package-npm: unknown target $1" >&2; exit 2 ;;
  esac
}
all="x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-apple-darwin aarch64-apple-darwin"

platform_package() {
  local target="$1" binary="$2" s dir
  s="$(suffix "$target")"
  dir="$work/$s"
  mkdir -p "$dir/bin"
  if [ -n "$binary" ]; then install -m 755 "$binary" "$dir/bin/secrets"; fi
  # shellcheck disable=SC2016 # JavaScript template literals, not shell expansions
  NAME="$name-$s" VERSION="$version" OS="${s%-*}" CPU="${s#*-}" node -e '
    const e = process.env;
    const pkg = { name: e.NAME, version: e.VERSION, description: `The secrets binary for ${e.OS}-${e.CPU}`,
      license: "MIT", os: [e.OS], cpu: [e.CPU], files: ["bin/secrets"], preferUnplugged: true };
    require("fs").writeFileSync(process.argv[1], JSON.stringify(pkg, null, 2) + "\n");' "$dir/package.json"
  (cd "$dir" && npm pack --silent --pack-destination "$out" >/dev/null)
}

given=" "
for pair in "$@"; do
  target="${pair%%=*}"
  platform_package "$target" "${pair#*=}"
  given="$given$target "
done
if $stubs; then
  for target in $all; do
    case "$given" in *" $target "*) ;; *) platform_package "$target" "" ;; esac
  done
fi

main="$work/main"
mkdir -p "$main/bin"
install -m 755 npm/secrets.js "$main/bin/secrets.js"
cp README.md "$main/"
# shellcheck disable=SC2016 # JavaScript template literals, not shell expansions
NAME="$name" VERSION="$version" ALL="$all" node -e '
  const e = process.env;
  const suffix = { "x86_64-unknown-linux-gnu": "linux-x64", "aarch64-unknown-linux-gnu": "linux-arm64",
    "x86_64-apple-darwin": "darwin-x64", "aarch64-apple-darwin": "darwin-arm64" };
  const optional = Object.fromEntries(e.ALL.split(" ").map((t) => [`${e.NAME}-${suffix[t]}`, e.VERSION]));
  const pkg = { name: e.NAME, version: e.VERSION, license: "MIT",
    description: "AWS SSM Parameter Store secrets into .env.secret, a command or CI",
    bin: { secrets: "bin/secrets.js" }, files: ["bin/secrets.js", "README.md"],
    engines: { node: ">=18" }, optionalDependencies: optional };
  require("fs").writeFileSync(process.argv[1], JSON.stringify(pkg, null, 2) + "\n");' "$main/package.json"
(cd "$main" && npm pack --silent --pack-destination "$out" >/dev/null)
ls "$out"
