#!/bin/sh
# Two emulated hosts on this machine for multi-host tests: network namespaces stx0 and stx1
# joined by a veth pair (stv0 10.213.77.1, stv1 10.213.77.2 on 10.213.77.0/30), nothing else
# reachable from them. Needs root.
#   netns-hosts.sh up            make them (replacing leftovers of an earlier run)
#   netns-hosts.sh shape RATE    limit both ends' egress with tbf (e.g. 10gbit, 1gbit); "none" removes it
#   netns-hosts.sh bytes         bytes sent by stx0 over the link so far (its veth's tx counter)
#   netns-hosts.sh down          remove them (the veth pair and its qdiscs go with them)
set -eu
case "${1:-}" in
  up)
    "$0" down
    ip netns add stx0; ip netns add stx1
    ip link add stv0 type veth peer name stv1
    ip link set stv0 netns stx0; ip link set stv1 netns stx1
    ip -n stx0 addr add 10.213.77.1/30 dev stv0; ip -n stx1 addr add 10.213.77.2/30 dev stv1
    for n in 0 1; do ip -n stx$n link set lo up; ip -n stx$n link set stv$n up; done ;;
  shape)
    for n in 0 1; do
      ip netns exec stx$n tc qdisc del dev stv$n root 2>/dev/null || true
      # netem is absent from some kernels: rate only. A burst of 128 kB keeps tbf near its rate
      # at 10 Gbit/s on a VM's timer (../shared/design/multihost/NETNS-MPI.md).
      [ "$2" = none ] || ip netns exec stx$n tc qdisc add dev stv$n root tbf rate "$2" burst 128kb limit 4mb
    done ;;
  bytes) ip netns exec stx0 cat /sys/class/net/stv0/statistics/tx_bytes ;;
  down)
    ip netns del stx0 2>/dev/null || true
    ip netns del stx1 2>/dev/null || true ;;
  *) echo "usage: $0 up | shape RATE|none | bytes | down" >&2; exit 2 ;;
esac
