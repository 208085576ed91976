#!/usr/bin/env bash
# Benchmarks `secrets audit`: 50 services with 30 declared secrets each, deployed to dev,
# staging and prod, checked in three accounts (three moto servers, MOTO_ACCOUNT_ID), each
# behind examples/latency_proxy at a 40 ms round trip. Prints the wall time of the whole
# command at loopback and at 40 ms, the requests it sends and the floor they allow.
# Stock moto answers DescribeParameters 10 names a page whatever MaxResults says; SSM answers
# up to 50. With --aws-pages the servers page as SSM does (MaxResults honoured, at most 50):
# a launcher replaces that one handler before starting moto, nothing else.
# Usage: scripts/bench-audit.sh [runs] [--aws-pages]   (not part of the test run)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
aws_pages="${2:-}"
delay_ms=20

command -v moto_server >/dev/null 2>&1 || python3 -m pip install --quiet 'moto[server]'
cargo build --profile dist --locked --quiet
cargo build --profile dist --locked --quiet --example latency_proxy
bin="$PWD/target/dist/secrets"
latency="$PWD/target/dist/examples/latency_proxy"

# shellcheck source=scripts/lib.sh
. scripts/lib.sh
# moto, optionally paging DescribeParameters like SSM (see the header).
cat >"$work/moto_aws_pages.py" <<'PY'
import sys
from moto.server import main
from moto.ssm.responses import SimpleSystemManagerResponse
from moto.core.responses import ActionResult

def describe_parameters(self):
    size = min(int(self._get_param("MaxResults") or 10), 50)
    start = int(str(self._get_param("NextToken") or "0").strip() or 0)
    found = self.ssm_backend.describe_parameters(
        self._get_param("Filters"), self._get_param("ParameterFilters"))
    page = found[start:start + size]
    out = {"Parameters": [p.describe_response_object(False) for p in page]}
    if start + size < len(found):
        out["NextToken"] = str(start + size)
    return ActionResult(out)

if sys.argv[1] == "--aws-pages":
    SimpleSystemManagerResponse.describe_parameters = describe_parameters
main(sys.argv[2:])
PY
declare -a direct slow
i=0
for account in 111111111111 222222222222 333333333333; do
  direct[i]="$(start_moto env MOTO_ACCOUNT_ID="$account" python3 "$work/moto_aws_pages.py" "${aws_pages:---stock}")"
  slow[i]="$(start_latency "$latency" "${direct[i]}" "$delay_ms")"
  i=$((i + 1))
done

# Emulator credentials only; profiles point each environment at its account's proxy.
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE="$work/config"
export AWS_SHARED_CREDENTIALS_FILE="$work/credentials"
unset AWS_PROFILE AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
envs=(dev staging prod)
for i in 0 1 2; do
  printf '[profile %s]\nregion = eu-west-1\nendpoint_url = %s\n\n' "${envs[i]}" "${slow[i]}" >>"$work/config"
  printf '[profile %s]\nregion = eu-west-1\nendpoint_url = %s\n\n' "${envs[i]}" "${direct[i]}" >>"$work/config.loopback"
  printf '[%s]\naws_access_key_id = bench\naws_secret_access_key = bench\n\n' "${envs[i]}" >>"$work/credentials"
done

repo="$work/repo"
python3 - "$repo" "${direct[@]}" <<'PY'
import os, sys, boto3
repo, urls = sys.argv[1], sys.argv[2:]
os.makedirs(os.path.join(repo, ".git"))
dsl = os.path.join(repo, "infra", "src", "dsl")
os.makedirs(dsl)
with open(os.path.join(dsl, "dsl.ts"), "w") as f:
    f.write("export const service = (name: string) => name\n")
charts = os.path.join(repo, "infra", "src", "uber-charts")
os.makedirs(charts)
names = [f"svc-{i:02}" for i in range(50)]
paths = []
for name in names:
    app = os.path.join(repo, "apps", name, "infra")
    os.makedirs(app)
    with open(os.path.join(app, f"{name}.ts"), "w") as f:
        f.write("import { service } from '../../../infra/src/dsl/dsl'\n\n"
                f"export const serviceSetup = () =>\n  service('{name}').secrets({{\n")
        for k in range(30):
            f.write(f"    KEY_{k:02}: '/k8s/{name}/KEY_{k:02}',\n")
            paths.append(f"/k8s/{name}/KEY_{k:02}")
        f.write("  })\n")
with open(os.path.join(charts, "bench.ts"), "w") as f:
    for name in names:
        var = name.replace("-", "_")
        f.write(f"import {{ serviceSetup as {var}Setup }} from '../../../apps/{name}/infra/{name}'\n")
    for name in names:
        var = name.replace("-", "_")
        f.write(f"const {var} = {var}Setup()\n")
    listed = ", ".join(n.replace("-", "_") for n in names)
    f.write(f"export const Services = {{ prod: [{listed}], staging: [{listed}], dev: [{listed}] }}\n")
with open(os.path.join(repo, ".secrets.toml"), "w") as f:
    for env, account in zip(["dev", "staging", "prod"], ["111111111111", "222222222222", "333333333333"]):
        f.write(f"[environments.{env}]\nprofile = \"{env}\"\naccount = \"{account}\"\n\n")
for url in urls:
    ssm = boto3.client("ssm", region_name="eu-west-1", endpoint_url=url,
                       aws_access_key_id="bench", aws_secret_access_key="bench")
    for p in paths:
        ssm.put_parameter(Name=p, Value="v", Type="SecureString")
print(f"{len(names)} services x 30 secrets, {len(paths)} parameters in each of {len(urls)} accounts", file=sys.stderr)
PY

cd "$repo"
"$bin" audit >/dev/null   # warm the page cache; also checks that everything is found
# Loopback (moto's own time) and 40 ms, interleaved so the machine's noise falls on both.
python3 - "$runs" "$bin" "$work/config.loopback" "$work/config" <<'PY'
import os, statistics, subprocess, sys, time
runs, binary, loopback, slow = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
times = {"loopback": [], "40 ms round trip": []}
for _ in range(runs):
    for label, config in (("loopback", loopback), ("40 ms round trip", slow)):
        env = dict(os.environ, AWS_CONFIG_FILE=config)
        start = time.perf_counter()
        subprocess.run([binary, "audit", "-q"], check=True, stdout=subprocess.DEVNULL, env=env)
        times[label].append((time.perf_counter() - start) * 1000)
for label, t in times.items():
    t.sort()
    print(f"audit, 50 services x 30 secrets x 3 accounts, {label}, {runs} runs: "
          f"min {t[0]:.0f} ms, median {statistics.median(t):.0f} ms, max {t[-1]:.0f} ms")
PY
# Requests: per account one GetCallerIdentity, then DescribeParameters with 50 names a call
# (1,500 names: 30 calls), 8 calls in flight; stock moto answers 10 names a page (5 pages a
# call, and a last empty page when the last is full), SSM and --aws-pages up to 50 (1 page).
python3 - "$aws_pages" <<'PY'
import sys
calls, inflight, rtt = 30, 8, 40
pages = 1 if sys.argv[1] == "--aws-pages" else 5
requests = 3 * (1 + calls * pages)
rounds = -(-calls // inflight)
# STS, a handshake for each new connection, then the rounds of sequential pages.
floor = rtt + rtt + rounds * pages * rtt
print(f"requests: about {requests} ({1 + calls * pages} per account); floor at {rtt} ms: "
      f"{floor} ms (accounts in parallel; {rounds} rounds of {pages} page(s) each)")
PY
