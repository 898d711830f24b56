#!/usr/bin/env bash
# Takes an api instance out of the nginx load balancer, or puts it back, without cutting requests:
# marks it `down` in the upstream file and reloads nginx (old workers finish what they hold).
# usage: scripts/deploy/lb-drain.sh out|in <host:port> [upstream-file] [nginx -s reload options…]
#   e.g. scripts/deploy/lb-drain.sh out api1:3000 /etc/nginx/conf.d/api-upstream.conf
set -euo pipefail
action=${1:?out or in}; server=${2:?host:port}; file=${3:-/etc/nginx/conf.d/api-upstream.conf}; shift 3 || shift $#
grep -q "server ${server} " "$file" || { echo "lb-drain: ${server} is not in ${file}" >&2; exit 2; }
case "$action" in
  out) sed -i -E "s#^(\s*server ${server} [^;]*?)( down)?;#\1 down;#" "$file" ;;
  in)  sed -i -E "s#^(\s*server ${server} [^;]*) down;#\1;#" "$file" ;;
  *) echo "lb-drain: say out or in" >&2; exit 2 ;;
esac
nginx "$@" -t -q
nginx "$@" -s reload
echo "lb-drain: ${server} ${action} of the load balancer"
