# shellcheck shell=bash
# What the benchmarks share; source it after scripts/db.sh.

# bench_database DATABASE: exports DATABASE_URL as abroad_database does, but on
# scripts/db.sh's private cluster in a home of its own (<cluster home>/bench), never
# the test cluster, which may run with fsync off. A DATABASE_URL that answers is used
# instead. Call it once.
bench_database() {
    bench_test_cluster_home=${bench_test_cluster_home:-$(cluster_home)}
    # shellcheck disable=SC2317 # replaces scripts/db.sh's, called from there
    cluster_home() { echo "$bench_test_cluster_home/bench"; }
    abroad_database "$1"
}

# Exits unless the server runs with production durability: fsync, synchronous_commit
# and full_page_writes all on.
require_durability() {
    local durability
    durability=$(psql "$DATABASE_URL" -XAtc "SELECT current_setting('fsync') || ' ' || current_setting('synchronous_commit')
        || ' ' || current_setting('full_page_writes')")
    if [ "$durability" != "on on on" ]; then
        echo "this server runs with fsync, synchronous_commit, full_page_writes = $durability:" \
             "tuned for tests, not for a benchmark" >&2
        exit 1
    fi
}

# memory_mb PID FIELD: a process's VmRSS (resident now) or VmHWM (the peak) in MB.
memory_mb() { awk -v f="$2:" '$1 == f { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
