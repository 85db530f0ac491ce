#!/usr/bin/env bash
# Feed requests per second, the daemon against nginx serving the same file, side by side
# in one run; and the idle daemon's resident memory. The calendar has 10 000 events.
#   bench/feed-throughput.sh            (needs wrk and nginx: apt-get install wrk nginx)
# Prints the figures that go in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
ROUNDS_ONLY_RSS=${ROUNDS_ONLY_RSS:-}
CONNECTIONS=${CONNECTIONS:-32}
ROUNDS=${ROUNDS:-3}
work=$(mktemp -d)
cleanup() {
  [ -n "${daemon:-}" ] && kill "$daemon" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cargo build --release --quiet --example generate --bin timeward
target/release/examples/generate 10000 "$work"
cat > "$work/timeward.toml" <<TOML
rules = "$work/rules.toml"
state_dir = "$work/state"
listen = "127.0.0.1:18765"
poll_interval = "1m"
[source]
kind = "ics"
path = "$work/calendar.ics"
TOML
env RUST_LOG=info ${DAEMON_ENV:-} target/release/timeward run --config "$work/timeward.toml" 2>"$work/daemon.log" &
daemon=$!
for _ in $(seq 1 200); do grep -q "cycle done" "$work/daemon.log" 2>/dev/null && break; sleep 0.1; done
grep -q "cycle done" "$work/daemon.log" || { cat "$work/daemon.log"; exit 1; }
token=$(cat "$work/state/feed_token")
feed="/feed/$token.ics"

# nginx serves the very same bytes at the same path.
mkdir -p "$work/www/feed"
cp "$work/state/feed.ics" "$work/www$feed"
cat > "$work/nginx.conf" <<NGINX
worker_processes auto;
user $(id -un);
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  types { text/calendar ics; }
  server {
    listen 127.0.0.1:18080;
    root $work/www;
  }
}
NGINX
nginx -c "$work/nginx.conf" -p "$work"
sleep 0.5
cmp <(curl -s "http://127.0.0.1:18765$feed") <(curl -s "http://127.0.0.1:18080$feed")

sleep 2
rss() { awk '/^VmRSS/ {print $2}' "/proc/$daemon/status"; }
hwm() { awk '/^VmHWM/ {print $2}' "/proc/$daemon/status"; }
echo "feed: $(stat -c %s "$work/state/feed.ics") bytes; calendar: $(stat -c %s "$work/calendar.ics") bytes, 10000 events"
echo "idle daemon after its first cycle: VmRSS $(( $(rss) / 1024 )) MiB (peak VmHWM $(( $(hwm) / 1024 )) MiB)"

[ -n "$ROUNDS_ONLY_RSS" ] && exit 0
rate() { wrk -t2 -c"$CONNECTIONS" -d"$DURATION" "$1" | awk '/Requests\/sec/ {print $2}'; }
echo "wrk -t2 -c$CONNECTIONS -d$DURATION, alternating, $ROUNDS rounds:"
for r in $(seq 1 "$ROUNDS"); do
  t=$(rate "http://127.0.0.1:18765$feed")
  n=$(rate "http://127.0.0.1:18080$feed")
  echo "round $r: timeward $t req/s, nginx $n req/s, ratio $(awk -v a="$t" -v b="$n" 'BEGIN {printf "%.2f", a/b}')"
done
# Small responses too: the server's own overhead, not memcpy.
t=$(rate "http://127.0.0.1:18765/healthz")
echo "timeward /healthz (small JSON): $t req/s"
sleep 2
echo "idle daemon after the load: VmRSS $(( $(rss) / 1024 )) MiB (peak VmHWM $(( $(hwm) / 1024 )) MiB)"
