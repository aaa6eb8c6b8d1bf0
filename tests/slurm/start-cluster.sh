#!/usr/bin/env bash
# Starts a one-node Slurm cluster on this machine for the campaign tests (Debian's slurm-wlm and munge):
# munged, then slurmctld and slurmd with a localhost slurm.conf (proctrack/linuxproc, task/none,
# select/cons_tres, this node's CPUs and memory, one partition "debug"), and waits until sinfo shows the node idle.
#
#   sudo bash tests/slurm/start-cluster.sh            # start (installs the packages when apt-get can)
#   sudo bash tests/slurm/start-cluster.sh --stop     # stop the daemons this script started
#
# The configuration goes to /etc/slurm/slurm.conf when that file is absent or was written by this script, so the
# Slurm commands (sbatch, squeue, scancel) find it without SLURM_CONF; otherwise it stays in the state folder and
# the script prints the SLURM_CONF line to export. State, logs and spool live in $XTALPS_SLURM_DIR
# (default /tmp/xtalps-slurm). MaxArraySize is 3 (XTALPS_SLURM_MAX_ARRAY changes it) so that a campaign of four
# chunks already needs two job arrays, as a large campaign does on a real cluster (MaxArraySize 1001 by default).
# Exit status: 0 when the node is idle, 1 when the cluster could not start.
set -uo pipefail

DIR="${XTALPS_SLURM_DIR:-/tmp/xtalps-slurm}"
MARK="# written by XtalPS tests/slurm/start-cluster.sh"
NODE="$(hostname -s 2>/dev/null || hostname)"

say() { echo "start-cluster: $*"; }

stop_daemons() {
  for name in slurmd slurmctld; do
    if [ -f "$DIR/$name.pid" ]; then
      pid="$(cat "$DIR/$name.pid" 2>/dev/null)"
      if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null; fi
      rm -f "$DIR/$name.pid"
    fi
  done
  if [ -f "$DIR/munged.pid" ]; then
    pid="$(cat "$DIR/munged.pid" 2>/dev/null)"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null; fi
    rm -f "$DIR/munged.pid"
  fi
}

if [ "${1:-}" = "--stop" ]; then
  stop_daemons
  say "stopped"
  exit 0
fi

if [ "$(id -u)" != "0" ]; then
  say "must run as root (the Slurm daemons and munged need it)"
  exit 1
fi

# The packages: installed by CI here, by hand elsewhere.
if ! command -v slurmctld >/dev/null 2>&1 || ! command -v slurmd >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
  say "installing slurm-wlm and munge"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge) >/dev/null 2>&1 \
    || { say "slurm-wlm and munge could not be installed"; exit 1; }
fi

mkdir -p "$DIR/state" "$DIR/spool" "$DIR/munge"
chmod 755 "$DIR"

# munge: a key, then the daemon (as the munge user, which owns the key).
if [ ! -s /etc/munge/munge.key ]; then
  mkdir -p /etc/munge
  dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
  chown munge:munge /etc/munge/munge.key 2>/dev/null || true
  chmod 400 /etc/munge/munge.key
fi
mkdir -p /run/munge /var/log/munge /var/lib/munge
chown munge:munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null || true
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  rm -f /run/munge/munge.socket.2 /run/munge/munge.socket.2.lock
  if id munge >/dev/null 2>&1; then
    runuser -u munge -- munged --pid-file=/run/munge/munged.pid >/dev/null 2>&1 || munged --force >/dev/null 2>&1
  else
    munged --force >/dev/null 2>&1
  fi
  for _ in $(seq 1 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
  pgrep -x munged | head -n 1 > "$DIR/munged.pid"
fi
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  say "munged did not start (see /var/log/munge/munged.log)"
  exit 1
fi

# The node as Slurm must see it: the CPUs this machine has and a little less memory than it has.
CPUS="$(nproc)"
MEM_MB="$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)"

CONF="$DIR/slurm.conf"
cat > "$CONF" <<EOF
$MARK
ClusterName=xtalps
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
SlurmdTimeout=300
InactiveLimit=0
KillWait=5
MinJobAge=30
MaxArraySize=${XTALPS_SLURM_MAX_ARRAY:-3}
DefMemPerCPU=2048
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF

TARGET=/etc/slurm/slurm.conf
if [ ! -e "$TARGET" ] || grep -qF "$MARK" "$TARGET" 2>/dev/null; then
  mkdir -p /etc/slurm
  cp "$CONF" "$TARGET"
  USED="$TARGET"
else
  USED="$CONF"
  export SLURM_CONF="$CONF"
  say "/etc/slurm/slurm.conf belongs to someone else; use: export SLURM_CONF=$CONF"
fi

# A fresh start: daemons from an earlier run of this script are stopped, the controller starts clean (-c).
stop_daemons
sleep 0.5
slurmctld -c -f "$USED" >>"$DIR/start.log" 2>&1 || { say "slurmctld did not start:"; tail -n 20 "$DIR/slurmctld.log" 2>/dev/null; exit 1; }
slurmd -f "$USED" -N "$NODE" >>"$DIR/start.log" 2>&1 || { say "slurmd did not start:"; tail -n 20 "$DIR/slurmd.log" 2>/dev/null; exit 1; }

# Wait (up to 60 s) for the node to be idle.
for i in $(seq 1 120); do
  state="$(sinfo -h -N -n "$NODE" -o %T 2>/dev/null | head -n 1)"
  case "$state" in
    idle*) say "node $NODE idle ($CPUS CPUs, $MEM_MB MB) after $((i / 2)) s; config $USED"; exit 0 ;;
    drain*|down*) scontrol update NodeName="$NODE" State=RESUME >/dev/null 2>&1 ;;
  esac
  sleep 0.5
done
say "the node did not become idle (state '${state:-none}'); logs:"
tail -n 20 "$DIR/slurmctld.log" "$DIR/slurmd.log" 2>/dev/null
exit 1
