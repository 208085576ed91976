#!/usr/bin/env bash
# A tour without AWS: builds secrets, starts a local SSM (moto_server), seeds it, and runs
# `secrets list` and `secrets get` in a copy of the fixture monorepo, then shows .env.secret.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v moto_server >/dev/null 2>&1; then
  echo "demo: installing moto[server] (a local AWS emulator)"
  python3 -m pip install --quiet 'moto[server]'
  if command -v pyenv >/dev/null 2>&1; then pyenv rehash; fi
fi

cargo build --quiet --locked
bin="$PWD/target/debug/secrets"

# shellcheck source=scripts/lib.sh
. scripts/lib.sh
moto_url="$(start_moto)"

# Demo credentials for the emulator only; never real ones.
export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_REGION=eu-west-1
export AWS_EC2_METADATA_DISABLED=true AWS_ENDPOINT_URL="$moto_url"

echo "== seeding the local SSM"
python3 - <<'PY'
import os, boto3
ssm = boto3.client("ssm", region_name="eu-west-1", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
seeds = {
    "/k8s/configcat/CONFIGCAT_SDK_KEY": "demo-configcat-key",
    "/k8s/api/IP_API_KEY": "demo-secret-with-'quotes'-and-$dollars",
    "/k8s/documents/DOCUMENTS_TOKEN": "demo-documents-token",
    "/k8s/payments/PAYMENT_USER": "demo-payment-user",
    "/k8s/payments/PAYMENT_PASSWORD": "demo-payment-password",
    "/k8s/xroad/client/IS-DEV/GOV/10000/island-is-client/ID": "IS-DEV/GOV/10000/island-is-client",
    "/k8s/api/PRIVATE_KEY": "-----BEGIN KEY-----\nMIIBdemo\n-----END KEY-----",
}
for name, value in seeds.items():
    ssm.put_parameter(Name=name, Value=value, Type="SecureString", Overwrite=True)
    print("  ", name)
PY

# A small monorepo in the island.is style: apps/api/infra/api.ts declares what `api` needs.
repo="$work/island.is"
cp -R tests/fixtures/monorepo "$repo"
mkdir -p "$repo/.git"
printf '# my own local settings stay put\nexport MY_FLAG=on\n' >"$repo/.env.secret"

echo
echo "== secrets list api   (declared in apps/api/infra/api.ts vs stored in SSM; never values)"
(cd "$repo" && "$bin" list api)
echo
echo "== secrets get api   (in $repo/apps/api)"
(cd "$repo/apps/api" && "$bin" get api)
echo
echo "== secrets get api --dry-run   (nothing changes on a second run)"
(cd "$repo" && "$bin" get api --dry-run 2>/dev/null)
echo
echo "== $repo/.env.secret ($(stat -c '%a' "$repo/.env.secret" 2>/dev/null || stat -f '%Lp' "$repo/.env.secret"))"
cat "$repo/.env.secret"
echo
echo "== bash sees the exact value:"
bash -c "source '$repo/.env.secret'; printf 'PRIVATE_KEY=%s\n' \"\$PRIVATE_KEY\""
