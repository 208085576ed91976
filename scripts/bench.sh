#!/usr/bin/env bash
# Times `secrets get` side by side with the aws CLI and a reproduction of the upstream fetch
# step, at loopback and through a proxy adding 20 ms each way, against a local moto_server.
# Prints a table of medians and ratios and writes it into BENCHMARKS.md.
#
# Usage: scripts/bench.sh [--runs N] [--declared N] [--swept N] [--baseline BINARY] [--no-write]
#   --runs N           runs per command (default 15, after 2 warm-ups)
#   --declared N       paths the bench service declares outside its prefix (default 250)
#   --swept N          parameters stored under /k8s/bench/ (default 200); the table for each
#                      workload has its own place in BENCHMARKS.md
#   --baseline BINARY  also time another build of secrets (e.g. an older commit's) in the
#                      same run, for a before/after ratio
#   --no-write         print the table only; leave BENCHMARKS.md alone
# Not part of the test run. Installs what it needs when missing: hyperfine (Debian package,
# needs apt-get and root), moto[server] and awscli (PyPI), @aws-sdk/client-ssm (npm, into
# the ignored .bench/ folder); node and npm must be on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=15
declared=250
swept=200
baseline=""
write=1
while [ "$#" -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --declared) declared="$2"; shift 2 ;;
    --swept) swept="$2"; shift 2 ;;
    --baseline) baseline="$(realpath "$2")"; shift 2 ;;
    --no-write) write=0; shift ;;
    *) echo "bench: unknown argument $1 (see the usage at the top of scripts/bench.sh)" >&2; exit 2 ;;
  esac
done

# Round trip through the proxy, and the GetParameters calls in flight at once (--in-flight's
# default), for the floors.
delay_ms=20
concurrency=40
sdk_version=3.1169.0

if ! command -v hyperfine >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bench: installing hyperfine (Debian package)" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null
  else
    echo "bench: hyperfine is missing; install it (apt-get install hyperfine, or cargo install hyperfine)" >&2
    exit 1
  fi
fi
command -v moto_server >/dev/null 2>&1 || python3 -m pip install --quiet 'moto[server]'
command -v aws >/dev/null 2>&1 || python3 -m pip install --quiet awscli
if command -v pyenv >/dev/null 2>&1; then pyenv rehash; fi
for tool in node npm aws moto_server; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is missing" >&2; exit 1; }
done
node_dir="$PWD/.bench/node"
if [ ! -d "$node_dir/node_modules/@aws-sdk/client-ssm" ]; then
  echo "bench: installing @aws-sdk/client-ssm@$sdk_version into .bench/node" >&2
  mkdir -p "$node_dir"
  npm install --prefix "$node_dir" --no-audit --no-fund --silent "@aws-sdk/client-ssm@$sdk_version"
fi

cargo build --profile dist --locked --quiet
cargo build --profile dist --locked --quiet --example latency_proxy
bin="$PWD/target/dist/secrets"
latency="$PWD/target/dist/examples/latency_proxy"

# shellcheck source=scripts/lib.sh
. scripts/lib.sh
# moto, paging DescribeParameters as SSM does (see the script).
direct="$(start_moto python3 scripts/moto_ssm_pages.py)"
slow="$(start_latency "$latency" "$direct" "$delay_ms")"

emulator_env bench

# A monorepo whose bench service declares $declared secrets outside /k8s/bench/ (the fixture's
# DSL adds its common secrets to every service, as island.is does).
repo="$work/repo"
python3 - "$repo" "$PWD/tests/fixtures/monorepo" "$declared" <<'PY'
import os, shutil, sys
repo, fixture, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(os.path.join(repo, ".git"))
shutil.copytree(os.path.join(fixture, "infra"), os.path.join(repo, "infra"))
shutil.copytree(os.path.join(fixture, "libs"), os.path.join(repo, "libs"))
app = os.path.join(repo, "apps", "bench", "infra")
os.makedirs(app)
with open(os.path.join(app, "bench.ts"), "w") as f:
    f.write("import { service } from '../../../infra/src/dsl/dsl'\n\n"
            "export const serviceSetup = () =>\n  service('bench').secrets({\n")
    for i in range(count):
        f.write(f"    DEP_{i:03}: '/k8s/shared/bench-deps/DEP_{i:03}',\n")
    f.write("  })\n")
PY

cd "$repo"
# The paths the upstream fetch step would have rendered: everything the infra declares.
"$bin" list bench --declared-only --json --endpoint-url "$direct" -q >"$work/declared.json"
python3 -c 'import json, sys; json.dump(sorted({r["path"] for r in json.load(open(sys.argv[1]))}), open(sys.argv[2], "w"))' \
  "$work/declared.json" "$work/names.json"

# The store: $swept parameters under /k8s/bench/, every declared path, and 1,000 under
# /k8s/rss/ for the memory run; SecureStrings of 8-120 bytes.
python3 - "$direct" "$work/names.json" "$swept" <<'PY'
import json, random, sys
import boto3
endpoint, declared, swept = sys.argv[1], json.load(open(sys.argv[2])), int(sys.argv[3])
rng = random.Random(6)
alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_+/=.:"
ssm = boto3.client("ssm", region_name="eu-west-1", endpoint_url=endpoint)
names = [f"/k8s/bench/BENCH_VAR_{i:03}" for i in range(swept)] + declared
names += [f"/k8s/rss/RSS_VAR_{i:04}" for i in range(1000)]
for name in names:
    value = "".join(rng.choice(alphabet) for _ in range(rng.randint(8, 120)))
    ssm.put_parameter(Name=name, Value=value, Type="SecureString")
print(f"bench: seeded {len(names)} parameters", file=sys.stderr)
PY

cat >"$node_dir/upstream-fetch.mjs" <<'JS'
// The upstream fetch step, reproduced: GetParameters in chunks of 10, all chunks at once.
import { readFileSync } from 'node:fs'
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm'

const [endpoint, namesFile] = process.argv.slice(2)
const names = JSON.parse(readFileSync(namesFile, 'utf8'))
const client = new SSMClient({ endpoint, region: process.env.AWS_REGION })
const chunks = []
for (let i = 0; i < names.length; i += 10) chunks.push(names.slice(i, i + 10))
const answers = await Promise.all(
  chunks.map((Names) => client.send(new GetParametersCommand({ Names, WithDecryption: true }))),
)
const quote = (v) => `'${v.replaceAll("'", "'\\''")}'`
const lines = answers
  .flatMap((a) => a.Parameters ?? [])
  .map((p) => `export ${p.Name.split('/').pop()}=${quote(p.Value)}`)
process.stdout.write(lines.join('\n') + '\n')
JS
declared_count="$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$work/names.json")"
echo "bench: $declared_count declared paths; timing $runs runs each" >&2

commands=()
names=()
add() { names+=("$1"); commands+=("$2"); }
for net in loopback 40ms; do
  url="$direct"
  [ "$net" = 40ms ] && url="$slow"
  add "a $net" "$bin get bench -q --file $work/a.env --endpoint-url $url"
  add "b $net" "$bin get bench -q --declared-only --file $work/b.env --endpoint-url $url"
  if [ -n "$baseline" ]; then
    add "a-baseline $net" "$baseline get bench -q --file $work/a0.env --endpoint-url $url"
    add "b-baseline $net" "$baseline get bench -q --declared-only --file $work/b0.env --endpoint-url $url"
  fi
  add "c $net" "aws ssm get-parameters-by-path --path /k8s/bench/ --recursive --with-decryption --endpoint-url $url"
  add "d $net" "node $node_dir/upstream-fetch.mjs $url $work/names.json"
done
args=()
for i in "${!commands[@]}"; do args+=(--command-name "${names[$i]}" "${commands[$i]}"); done
hyperfine -N --warmup 2 --runs "$runs" --style basic --export-json "$work/times.json" "${args[@]}" >&2

# Start-up to the first request (loopback; the probe answers nothing and kills the command).
startup() { "$latency" first-byte --runs "$runs" -- "$@"; }
startup_secrets="$(startup "$bin" get bench -q --file "$work/s.env" --endpoint-url '{url}')"
startup_aws="$(startup aws ssm get-parameters-by-path --path /k8s/bench/ --endpoint-url '{url}')"
startup_node="$(startup node "$node_dir/upstream-fetch.mjs" '{url}' "$work/names.json")"
baseline_startup=()
if [ -n "$baseline" ]; then
  baseline_startup=(--startup "secrets baseline=$(startup "$baseline" get bench -q --file "$work/s0.env" --endpoint-url '{url}')")
fi

# Peak memory of `get` for 1,000 secrets (GNU time's maximum resident set, 5 runs).
rss=()
for _ in 1 2 3 4 5; do
  rss+=("$(/usr/bin/time -f %M "$bin" get rss -q --file - --endpoint-url "$direct" 2>&1 >/dev/null | tail -1)")
done

cd - >/dev/null
machine="$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -s) $(uname -r | cut -d- -f1)"
versions="secrets $(git rev-parse --short HEAD)$(git diff --quiet || echo '+changes'), $(aws --version 2>&1 | cut -d' ' -f1), node $(node --version), @aws-sdk/client-ssm $sdk_version, moto $(python3 -c 'import moto; print(moto.__version__)'), $(hyperfine --version)"
python3 scripts/bench-table.py "$work/times.json" \
  --date "$(date -u +%Y-%m-%d)" --machine "$machine" --versions "$versions" --runs "$runs" \
  --delay-ms "$delay_ms" --concurrency "$concurrency" --declared "$declared_count" --swept "$swept" \
  --startup "secrets=$startup_secrets" "${baseline_startup[@]}" \
  --startup "aws CLI=$startup_aws" --startup "node=$startup_node" \
  --rss "${rss[*]}" --size "$(stat -c %s "$bin")" >"$work/table.md"
cat "$work/table.md"
if [ "$write" -eq 1 ]; then
  python3 - BENCHMARKS.md "$work/table.md" "$declared/$swept" <<'PY'
import sys
path, table, workload = sys.argv[1], open(sys.argv[2]).read(), sys.argv[3]
text = open(path).read()
begin, end = f"<!-- bench.sh {workload}: begin -->", f"<!-- bench.sh {workload}: end -->"
if begin in text and end in text:
    text = text[: text.index(begin) + len(begin)] + "\n" + table + text[text.index(end):]
else:
    text = text.rstrip("\n") + "\n\n" + begin + "\n" + table + end + "\n"
open(path, "w").write(text)
PY
  echo "bench: wrote the table into BENCHMARKS.md" >&2
fi
