#!/usr/bin/env bash
# Benchmarks the infra reader: resolving one service in a generated monorepo of 5,000
# TypeScript files (plus a node_modules folder it must skip), through the dist binary;
# then every service at once (`list --all --declared-only`), as the whole process's wall time.
# The reader's own time comes from `-v` ("infra: ... (read by N ms)"; builds before
# 2026-11-24 afternoon said "(N ms so far)"); SSM is a local moto.
# Usage: scripts/bench-reader.sh [runs] [binary...]   (not part of the test run)
# With several binaries (e.g. two builds to compare), their runs alternate, so the machine's
# noise falls on each alike.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-20}"
shift || true

command -v moto_server >/dev/null 2>&1 || python3 -m pip install --quiet 'moto[server]'
if [ "$#" -eq 0 ]; then
  cargo build --profile dist --locked --quiet
  set -- "$PWD/target/dist/secrets"
fi

# shellcheck source=scripts/lib.sh
. scripts/lib.sh
moto_url="$(start_moto)"

repo="$work/repo"
python3 - "$repo" "$PWD/tests/fixtures/monorepo" <<'PY'
import os, shutil, sys
repo, fixture = sys.argv[1], sys.argv[2]
shutil.copytree(os.path.join(fixture, "infra"), os.path.join(repo, "infra"))
shutil.copytree(os.path.join(fixture, "libs"), os.path.join(repo, "libs"))
files = 0
for i in range(200):
    app = os.path.join(repo, "apps", f"app-{i}")
    os.makedirs(os.path.join(app, "infra"))
    os.makedirs(os.path.join(app, "src", "lib"))
    with open(os.path.join(app, "infra", f"app-{i}.ts"), "w") as f:
        f.write(
            "import { service } from '../../../infra/src/dsl/dsl'\n"
            "import { Base, Client } from '../../../infra/src/dsl/xroad'\n\n"
            f"export const serviceSetup = () =>\n  service('app-{i}')\n"
            f"    .secrets({{\n" + "".join(f"      KEY_{k}: '/k8s/app-{i}/KEY_{k}',\n" for k in range(12)) +
            "    })\n    .xroad(Base, Client)\n    .db()\n")
    files += 1
    for j in range(24):
        with open(os.path.join(app, "src", "lib", f"module-{j}.ts"), "w") as f:
            f.write(f"// service('not-this') in a comment\nexport const value{j} = {j}\n" * 20)
        files += 1
nm = os.path.join(repo, "node_modules", "big")
os.makedirs(nm)
for j in range(1000):
    with open(os.path.join(nm, f"m{j}.ts"), "w") as f:
        f.write("export const x = service('app-150')\n")
print(f"generated {files} files (+1000 in node_modules)", file=sys.stderr)
PY

export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_EC2_METADATA_DISABLED=true
export AWS_ENDPOINT_URL="$moto_url"

# One file of timings per binary (bash 3 on macOS has no associative arrays).
for _ in $(seq "$runs"); do
  i=0
  for bin in "$@"; do
    line="$("$bin" list app-150 -C "$repo" --declared-only -v 2>&1 >/dev/null | grep '^trace: infra: app-150:')"
    sed -E -e 's/.*\(([0-9.]+) ms so far\).*/\1/' -e 's/.*\(read by ([0-9.]+) ms\).*/\1/' \
      <<<"$line" >>"$work/times.$i"
    i=$((i + 1))
  done
done
i=0
for bin in "$@"; do
  sort -n "$work/times.$i" | awk -v runs="$runs" -v bin="$bin" '
    { v[NR] = $1 }
    END { printf "%s: one service in 5,000 files, %d runs: min %.1f ms, median %.1f ms, max %.1f ms\n", bin, runs, v[1], v[int((NR + 1) / 2)], v[NR] }'
  echo "  declared: $("$bin" list app-150 -C "$repo" --declared-only 2>/dev/null | tail -n +2 | wc -l) secrets; size $(wc -c <"$bin") bytes"
  i=$((i + 1))
done

# Every service at once: the whole process, start to exit (no AWS is asked).
i=0
for bin in "$@"; do
  for _ in $(seq "$runs"); do
    start="$(date +%s%N)"
    "$bin" list --all --declared-only -C "$repo" >/dev/null 2>&1
    end="$(date +%s%N)"
    echo "$(( (end - start) / 1000 ))" >>"$work/all.$i"
  done
  sort -n "$work/all.$i" | awk -v runs="$runs" -v bin="$bin" '
    { v[NR] = $1 / 1000 }
    END { printf "%s: every service (list --all) in 5,000 files, %d runs, wall: min %.1f ms, median %.1f ms, max %.1f ms\n", bin, runs, v[1], v[int((NR + 1) / 2)], v[NR] }'
  echo "  services: $("$bin" list --all --declared-only -C "$repo" 2>/dev/null | tail -n +2 | wc -l)"
  i=$((i + 1))
done
