#!/bin/sh
# Open MPI's "ssh" for hosts that are network namespaces on this machine (netns-hosts.sh makes
# them): mpirun --mca plm_rsh_agent netns-rsh.sh --host stx0,stx1 …
# Open MPI calls it as: netns-rsh.sh [ssh-style options] HOST COMMAND… ; HOST is a namespace
# (ip netns list); COMMAND runs under /bin/sh inside it, in a fresh UTS namespace whose hostname
# is HOST, so every "host" reports its own name. Needs root (ip netns exec, unshare).
while [ $# -gt 0 ]; do
  case "$1" in
    -l|-p|-i|-o|-F) shift 2 ;;   # ssh options that take a value
    -*) shift ;;                 # other ssh flags (-x, -T, …)
    *) break ;;
  esac
done
host=$1; shift
exec ip netns exec "$host" unshare --uts /bin/sh -c 'hostname "$0" && exec /bin/sh -c "$*"' "$host" "$@"
