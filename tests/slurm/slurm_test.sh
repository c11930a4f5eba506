#!/usr/bin/env bash
# AlexNet Lab on a real Slurm cluster of one node: Debian's slurm-wlm and
# munge, run as private daemons in a temporary folder (own key, socket, ports,
# state), never the system's. Checks, through sbatch, srun and scancel:
#   1. `sweep --slurm`: a 4-trial job array (at most 2 at once) completes and
#      `sweep --show --json` lists 4 finished trials;
#   2. `srun -n 2 alexnet-lab train` (ranks from Slurm's variables) follows the
#      1-process run: the first 10 loss records agree within 1e-3;
#   3. a cancelled task (scancel) leaves a resumable trial that
#      `sweep --resume --slurm` finishes from its checkpoint.
# usage: slurm_test.sh ALEXNET_LAB        (as root: slurmd runs jobs as their user)
set -euo pipefail

program=$(readlink -f "$1")
[ -x "$program" ] || { echo "slurm_test: $1 is not a program" >&2; exit 2; }
for tool in munged slurmctld slurmd sbatch srun squeue scancel sinfo; do
  command -v "$tool" >/dev/null || { echo "slurm_test: $tool is missing (packaging/install-deps.sh slurm)" >&2; exit 2; }
done
[ "$(id -u)" -eq 0 ] || { echo "slurm_test: run as root (slurmd starts the jobs as their user)" >&2; exit 2; }

work=$(mktemp -d /tmp/alexnet-slurm.XXXXXX)
chmod 755 "$work"
cleanup() {
  for pid in "$work"/slurmd.pid "$work"/slurmctld.pid "$work"/munged.pid; do
    [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true
  done
  sleep 1
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
step() { echo "== $*"; }
fail() { echo "FAIL: $*" >&2; echo "--- slurmctld.log"; tail -20 "$work/slurmctld.log" || true;
         echo "--- slurmd.log"; tail -20 "$work/slurmd.log" || true; exit 1; }

step "munge with its own key and socket in $work"
mkdir -p "$work/munge" "$work/state" "$work/spool"
chmod 700 "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
munged --key-file="$work/munge/munge.key" --socket="$work/munge/socket" --pid-file="$work/munged.pid" \
       --log-file="$work/munge/munged.log" --seed-file="$work/munge/seed" --force
cores=$(nproc)
ctld_port=$(free_port)
slurmd_port=$(free_port)
cat > "$work/slurm.conf" <<CONF
ClusterName=alexnetlab
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge/socket
SlurmUser=root
SlurmdUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
KillWait=30
NodeName=localhost CPUs=$cores State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$work/slurm.conf"
step "slurmctld and slurmd on ports $ctld_port and $slurmd_port"
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 60); do
  sinfo -h -o %T 2>/dev/null | grep -q idle && break
  sleep 1
done
sinfo -h -o %T | grep -q idle || fail "the node did not come up"

common=(--variants small --data synthetic --input-size 64 --batch 16 --optimizer sgd --lr 0.01
        --label-smoothing 0 --record-every 10 --probe-every 20 --probe-size 100 --checkpoint-every 0)

wait_done() {  # until no task of job $1 is in the queue, at most $2 s
  for _ in $(seq "$2"); do
    [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && return 0
    sleep 1
  done
  fail "job $1 still queued after $2 s"
}

step "1. a 4-trial sweep as a job array, at most 2 tasks at once"
"$program" sweep "${common[@]}" --iterations 60 --grid lr=0.005,0.02 --grid small.fc7.units=32,64 \
  --out "$work/sweep" --slurm --max-running 2 --dry-run | grep -q -- "--array=0-3%2" || fail "dry run"
submitted=$("$program" sweep "${common[@]}" --iterations 60 --grid lr=0.005,0.02 --grid small.fc7.units=32,64 \
  --out "$work/sweep" --slurm --max-running 2)
echo "$submitted"
job=$(echo "$submitted" | sed -n 's/^submitted Slurm job array \([0-9]*\).*/\1/p')
[ -n "$job" ] || fail "no job id in: $submitted"
wait_done "$job" 600
"$program" sweep --show "$work/sweep"
finished=$("$program" sweep --show "$work/sweep" --json | python3 -c \
  'import json,sys; print(sum(t["state"]=="finished" for t in json.load(sys.stdin)["trials"]))')
[ "$finished" = 4 ] || fail "$finished of 4 trials finished"
echo "ok: 4 of 4 trials finished"

step "2. srun -n 2 train against the 1-process run"
# Equal batches split two ways give equal sums only without dropout (each rank
# draws its own masks) and in float32 (bf16 rounds each rank's products).
presets=$(dirname "$(readlink -f "$0")")/../../resources/presets
sed 's/"dropout": [0-9.]*/"dropout": 0/' "$presets/small.json" > "$work/small-no-dropout.json"
same=(--variants "$work/small-no-dropout.json" --precision float32 --iterations 100)
"$program" train "${common[@]}" "${same[@]}" --out "$work/one" > "$work/one.log" 2>&1 || fail "1-process train"
srun -n 2 --cpus-per-task=1 "$program" train "${common[@]}" "${same[@]}" --out "$work/two" \
  > "$work/two.log" 2>&1 || { cat "$work/two.log"; fail "srun -n 2 train"; }
grep -q "rank 0 of 2" "$work/two.log" || { cat "$work/two.log"; fail "the tasks did not join as 2 ranks"; }
python3 - "$work/one/metrics.csv" "$work/two/metrics.csv" <<'PY' || fail "the 2-task run does not follow the 1-process run"
import csv, sys
a = list(csv.DictReader(open(sys.argv[1])))[:10]
b = list(csv.DictReader(open(sys.argv[2])))[:10]
assert len(a) == len(b) == 10, (len(a), len(b))
worst = max(abs(float(x["train_loss"]) - float(y["train_loss"])) for x, y in zip(a, b))
print("first 10 records: largest loss difference %.2e" % worst)
assert worst < 1e-3
PY

step "3. a cancelled task leaves a trial that --resume finishes"
submitted=$("$program" sweep "${common[@]}" --iterations 600 --grid lr=0.01 --out "$work/cancel" --slurm)
job=$(echo "$submitted" | sed -n 's/^submitted Slurm job array \([0-9]*\).*/\1/p')
for _ in $(seq 300); do
  [ "$(wc -l 2>/dev/null < "$work/cancel/trial-000/metrics.csv" || echo 0)" -gt 5 ] && break
  sleep 1
done
scancel "$job"
wait_done "$job" 120
state=$("$program" sweep --show "$work/cancel" --json | python3 -c \
  'import json,sys; print(json.load(sys.stdin)["trials"][0]["state"])')
[ "$state" = queued ] || fail "a cancelled trial is $state, not queued"
"$program" sweep --resume "$work/cancel" --slurm
job=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["slurm_job"])' "$work/cancel/sweep.json")
wait_done "$job" 900
state=$("$program" sweep --show "$work/cancel" --json | python3 -c \
  'import json,sys; print(json.load(sys.stdin)["trials"][0]["state"])')
[ "$state" = finished ] || fail "the resumed trial is $state"
[ "$(ls "$work/cancel/trial-000/tb" | wc -l)" -ge 2 ] || fail "the trial started over instead of resuming"
echo "ok: cancelled at a checkpoint, resumed to the end"
echo "slurm test passed"
