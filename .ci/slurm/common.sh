# Shared by .ci/slurm/start and .ci/slurm/stop: paths of a single-node SLURM run as root
# without systemd (daemons started directly, stopped through their pid files).

SLURM_CONF=/etc/slurm/slurm.conf
SLURM_LOGS=/var/log/slurm
SLURMCTLD_PID=/run/slurmctld.pid
SLURMD_PID=/run/slurmd.pid
MUNGED_PID=/run/munge/munged.pid
# first line of the slurm.conf these scripts write: they never overwrite a file without it
SLURM_MARK="# written by dasksnn's .ci/slurm/start"

# pid of the daemon whose pid file is $1, when it runs (a zombie does not count, nor another
# program that got the pid since)
running_pid() {
    local pid state
    [ -r "$1" ] || return 1
    pid=$({ tr -dc 0-9 < "$1"; } 2>/dev/null) || return 1  # gone meanwhile: the daemon exited
    [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$(basename "$1" .pid)" ] || return 1
    # field 3 of /proc/PID/stat is the state, after the command name in parentheses
    state=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
    [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ] || return 1
    echo "$pid"
}

fail() {
    echo "slurm: $*" >&2
    exit 1
}

# stop the daemon of pid file $1, named $2: SIGTERM, then SIGKILL after 10 s
stop_daemon() {
    local pid
    pid=$(running_pid "$1") || { rm -f "$1"; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do
        running_pid "$1" >/dev/null || { rm -f "$1"; return 0; }
        sleep 0.1
    done
    echo "slurm: $2 (pid $pid) ignored SIGTERM for 10 s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
        running_pid "$1" >/dev/null || { rm -f "$1"; return 0; }
        sleep 0.1
    done
    fail "$2 (pid $pid) is still running"
}

# cancel every job and wait (30 s at most) until the queue is empty
cancel_jobs() {
    local jobs left
    running_pid "$SLURMCTLD_PID" >/dev/null && command -v squeue >/dev/null || return 0
    jobs=$(timeout 10 squeue -h -o %i 2>/dev/null | tr '\n' ' ') || return 0
    [ -n "${jobs// /}" ] || return 0
    # shellcheck disable=SC2086
    timeout 10 scancel --full $jobs >/dev/null 2>&1 || true
    for _ in $(seq 150); do
        [ -z "$(timeout 10 squeue -h -o %i 2>/dev/null)" ] && return 0
        sleep 0.2
    done
    left=$(timeout 10 squeue -h -o '%i %T' 2>/dev/null | tr '\n' ' ')
    echo "slurm: jobs still in the queue after 30 s: $left" >&2
}
