#!/usr/bin/env bash
# Provisions a cluster the way a CI job or a PXE server's script would (issue 7): answers from a
# heredoc on standard input, --json parsed, each machine's Ignition fetched with --machine NAME
# --stdout and checked with ignition-validate, exit codes asserted for good and bad input, and
# standard output never holding anything but what was asked for.
#
#   CLI_JS=dist/src/cli/main.js bash test/e2e/scripted.sh
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cli=${CLI_JS:-$root/dist/src/cli/main.js}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

checks=0
fail() { echo "not ok - $*" >&2; exit 1; }
ok() { checks=$((checks + 1)); echo "ok $checks - $*"; }
fa() { node "$cli" "$@"; }
# json FILE EXPRESSION: evaluates EXPRESSION with `r` = the parsed JSON of FILE (fails if FILE is not exactly one JSON document).
json() { node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); const v = eval(process.argv[2]); console.log(typeof v === "string" ? v : JSON.stringify(v));' "$1" "$2"; }

answers() {
  cat <<'EOF'
preset: production
name: ci
size: 5
network:
  cidr: 192.168.50.0/24
  gateway: 192.168.50.1
  firstAddress: 192.168.50.20
  macPrefix: "52:54:00"
ssh:
  keys:
    - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMx7q3Yd0o8Q2pZk1v4cHqR9Wn6yT2eLbF5sJgKaPuXr ci@example
machines:
  - planned: ci-worker-2
    name: ci-gpu
    address: 192.168.50.99
EOF
}

# 1. Generate from standard input with --json: exit 0, one JSON document on stdout, nothing on stderr.
answers | fa --answers - --json --out cluster >report.json 2>err.txt
code=$?
[ "$code" -eq 0 ] || fail "generate --json exited $code: $(cat err.txt)"
ok "generate from a heredoc with --answers - --json exits 0"
[ ! -s err.txt ] || fail "stderr not empty on success with --json: $(cat err.txt)"
ok "nothing on stderr"
json report.json 'r.cluster' | grep -qx ci || fail "report: cluster is not ci"
[ "$(json report.json 'r.machines.length')" = 5 ] || fail "report: not 5 machines"
[ "$(json report.json 'r.machines.find(m => m.name === "ci-gpu").address')" = 192.168.50.99 ] || fail "report: the pinned machine is not there"
[ "$(json report.json 'r.outputDir')" = "$work/cluster" ] || fail "report: outputDir is $(json report.json 'r.outputDir')"
ok "stdout is exactly one JSON document: cluster, machines with role/address/mac/files, output dir"

names=$(json report.json 'r.machines.map(m => m.name).join(" ")')
for name in $names; do
  role=$(json report.json "r.machines.find(m => m.name === '$name').role")
  [ -f "cluster/$name.ign" ] || fail "cluster/$name.ign was not written"
  # 2. One machine's config on stdout, with the PKI of the written cluster: the same file, byte for byte.
  answers | fa --answers - --pki cluster --machine "$name" --stdout >"$name.ign" 2>err.txt
  code=$?
  [ "$code" -eq 0 ] || fail "--machine $name --stdout exited $code: $(cat err.txt)"
  ignition-validate "$name.ign" || fail "ignition-validate rejects $name.ign"
  cmp -s "$name.ign" "cluster/$name.ign" || fail "--stdout config of $name differs from cluster/$name.ign"
  ok "$name ($role): --machine --stdout gives a valid Ignition config, the same as the written one"
done
answers | fa --answers - --pki cluster --machine ci-gpu --stdout --format bu >ci-gpu.bu 2>/dev/null || fail "--format bu failed"
cmp -s ci-gpu.bu cluster/ci-gpu.bu || fail "--format bu differs from cluster/ci-gpu.bu"
ok "--format bu gives the Butane"

# 3. Dry run and plan: the plan as JSON, nothing written.
answers | fa --answers - --dry-run --json --out never >plan.json 2>err.txt || fail "--dry-run --json failed: $(cat err.txt)"
[ "$(json plan.json 'r.dryRun')" = true ] || fail "dry run not marked"
[ ! -e never ] || fail "--dry-run wrote never/"
answers | fa plan --answers - >plan.txt 2>/dev/null || fail "plan failed"
grep -q '^  ci-gpu ' plan.txt || fail "plan table lacks ci-gpu: $(cat plan.txt)"
ok "--dry-run --json and plan print the plan and write nothing"

# 4. Matchbox: profiles, groups by MAC, ignition.
answers | fa --answers - --json --out mb-cluster --matchbox matchbox --matchbox-url http://mb.lan:8080 >mb.json 2>err.txt || fail "--matchbox failed: $(cat err.txt)"
[ "$(json matchbox/groups/ci-gpu.json 'r.selector.mac')" = 52:54:00:a8:32:63 ] || fail "ci-gpu's group does not select 52:54:00:a8:32:63"
ignition-validate matchbox/ignition/ci-etcd-1.ign || fail "matchbox ignition invalid"
ignition-validate matchbox/ignition/ci-etcd-1-install.ign || fail "matchbox install ignition invalid"
[ "$(json matchbox/groups/ci-gpu.json 'r.selector.os')" = installed ] || fail "ci-gpu's installed group does not select os=installed"
[ "$(json mb.json 'r.matchbox.files.length')" = 30 ] || fail "report: not 30 matchbox files (5 machines, install and installed stages)"
grep -q '"path": "/etc/ssl/etcd/server.pem"' matchbox/ignition/ci-etcd-1.ign || fail "ci-etcd-1's served config lacks its certificate"
! grep -q -- '-key.pem"' matchbox/ignition/*.ign || fail "a served Matchbox config writes a private key file (--matchbox defaults to --secrets ssh)"
ok "--matchbox writes install and installed stages: profiles/, groups/ by MAC, ignition/, no private key"

# 5. Bad input: exit 2, one JSON error object on stderr with a stable code, nothing on stdout.
expect_error() { # expect_error CODE EXIT DESCRIPTION -- ARGS... (answers on stdin)
  local want=$1 exit=$2 what=$3
  shift 4
  fa "$@" >out.txt 2>err.txt
  local code=$?
  [ "$code" -eq "$exit" ] || fail "$what: exit $code, expected $exit ($(cat err.txt))"
  [ ! -s out.txt ] || fail "$what: stdout not empty: $(cat out.txt)"
  [ "$(json err.txt 'r.error.code')" = "$want" ] || fail "$what: error code $(cat err.txt), expected $want"
  ok "$what: exit $exit, code $want, stdout empty"
}
# (Inputs come from files, not pipes: a function at the end of a pipe runs in a subshell.)
answers >good.yaml
printf 'preset: dev\nname: lab\nnetwork:\n  gateway: 10.0.0.300\n' >bad-schema.yaml
printf 'preset: production\nsize: 5\netcd:\n  size: 4\n' >bad-spec.yaml
printf 'preset: dev\n  bad: [\n' >bad-yaml.yaml
expect_error answers_invalid 2 "an answers file that does not fit the schema" -- --answers - --json <bad-schema.yaml
grep -q '"message":"<stdin>:4:3 network.gateway: 10.0.0.300 is not an IPv4 address"' err.txt || fail "message lacks the position: $(cat err.txt)"
expect_error spec_invalid 2 "an answer no production cluster can have" -- --answers - --json <bad-spec.yaml
[ "$(json err.txt 'r.error.problems[0].line + ":" + r.error.problems[0].col')" = 4:3 ] || fail "semantic problem lacks line:col: $(cat err.txt)"
expect_error answers_syntax 2 "an answers file that is not YAML" -- --answers - --json <bad-yaml.yaml
expect_error usage 2 "an unknown flag" -- --preset dev --bogus --json </dev/null
expect_error usage 2 "--json with --stdout" -- --answers - --machine ci-gpu --stdout --json <good.yaml
expect_error matchbox_needs_mac 2 "--matchbox without MACs" -- --preset dev --json --out dev --matchbox mb2 </dev/null
[ ! -e dev ] && [ ! -e mb2 ] || fail "a failed --matchbox run wrote something"
mkdir full && touch full/x
expect_error output_exists 2 "a non-empty output directory" -- --preset dev --json --out full </dev/null

# 6. Without --json, errors are prose on stderr; --machine of no machine is exit 2.
fa --answers - --pki cluster --machine nope --stdout <good.yaml >out.txt 2>err.txt
code=$?
[ "$code" -eq 2 ] && [ ! -s out.txt ] && grep -q '^flatcar-architect: --machine: no machine is called nope; this cluster has ci-etcd-1' err.txt || fail "--machine nope: exit $code, $(cat err.txt)"
ok "--machine of no machine: exit 2, prose on stderr, stdout empty"

echo "all $checks checks passed"
