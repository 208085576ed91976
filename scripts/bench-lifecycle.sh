#!/usr/bin/env bash
# Benchmarks the lifecycle commands at a 40 ms round trip (moto behind
# examples/latency_proxy): copying a folder of N SecureStrings with `secrets cp --prefix`,
# side by side with the AWS CLI calls the monorepo's infra/scripts/move-secrets.sh makes for
# each secret (read the source, read the destination, put), and deleting that folder with
# `secrets rm --prefix`. Runs are interleaved so the machine's noise falls on both.
# Usage: scripts/bench-lifecycle.sh [runs] [count]   (not part of the test run)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
count="${2:-20}"
delay_ms=20

command -v moto_server >/dev/null 2>&1 || python3 -m pip install --quiet 'moto[server]'
command -v aws >/dev/null 2>&1 || python3 -m pip install --quiet awscli
cargo build --profile dist --locked --quiet
cargo build --profile dist --locked --quiet --example latency_proxy
bin="$PWD/target/dist/secrets"
latency="$PWD/target/dist/examples/latency_proxy"

# shellcheck source=scripts/lib.sh
. scripts/lib.sh
direct="$(start_moto)"
url="$(start_latency "$latency" "$direct" "$delay_ms")"

emulator_env bench
mkdir -p "$work/repo/.git"
cd "$work/repo"

python3 - "$direct" "$count" <<'PY'
import sys, boto3
url, count = sys.argv[1], int(sys.argv[2])
ssm = boto3.client("ssm", region_name="eu-west-1", endpoint_url=url,
                   aws_access_key_id="bench", aws_secret_access_key="bench")
for i in range(count):
    ssm.put_parameter(Name=f"/k8s/bench-src/KEY_{i:03}", Value=f"bench-{i}", Type="SecureString")
PY

# The upstream script's calls for each secret, through the AWS CLI: the source's value, the
# destination's value (to skip an unchanged one), then PutParameter as a SecureString.
cat >"$work/upstream-move.sh" <<'SH'
#!/usr/bin/env bash
set -euo pipefail
url="$1"; dst="$2"; count="$3"
for i in $(seq -f '%03g' 0 $((count - 1))); do
  from="/k8s/bench-src/KEY_$i"; to="$dst/KEY_$i"
  value="$(aws ssm get-parameters --endpoint-url "$url" --names "$from" --with-decryption --query 'Parameters[0].Value' --output text)"
  old="$(aws ssm get-parameters --endpoint-url "$url" --names "$to" --with-decryption --query 'Parameters[0].Value' --output text)"
  [ "$value" = "$old" ] && continue
  aws ssm put-parameter --endpoint-url "$url" --name "$to" --type SecureString --value "$value" >/dev/null
done
SH
chmod +x "$work/upstream-move.sh"

python3 - "$runs" "$count" "$bin" "$url" "$work/upstream-move.sh" <<'PY'
import statistics, subprocess, sys, time
runs, count, binary, url, upstream = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
times = {"secrets cp --prefix": [], "move-secrets.sh's AWS CLI calls": [], "secrets rm --prefix": []}
def timed(label, argv):
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times[label].append(time.perf_counter() - start)
for run in range(runs):
    ours, theirs = f"/k8s/bench-ours-{run}/", f"/k8s/bench-theirs-{run}"
    timed("secrets cp --prefix",
          [binary, "--endpoint-url", url, "cp", "--prefix", "/k8s/bench-src/", ours, "--yes"])
    timed("move-secrets.sh's AWS CLI calls", [upstream, url, theirs, str(count)])
    timed("secrets rm --prefix",
          [binary, "--endpoint-url", url, "rm", "--prefix", ours, "--yes"])
for label, t in times.items():
    t.sort()
    print(f"{label}, {count} SecureStrings, 40 ms round trip, {runs} runs: "
          f"min {t[0]:.2f} s, median {statistics.median(t):.2f} s, max {t[-1]:.2f} s")
cp, up = statistics.median(times["secrets cp --prefix"]), statistics.median(times["move-secrets.sh's AWS CLI calls"])
print(f"ratio of medians (AWS CLI calls / secrets cp): {up / cp:.1f}x")
PY
