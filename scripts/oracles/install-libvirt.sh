#!/usr/bin/env bash
# Installs the libvirt parts the libvirt oracle tests (test/oracles/libvirt.test.mjs) use, from Debian only:
#   - libvirt-clients      virsh, virt-xml-validate
#   - libvirt-daemon-driver-qemu + libvirt-daemon   virtqemud (for `virsh -c qemu:///session domxml-to-native`)
#   - libvirt0             the cpu_map (/usr/share/libvirt/cpu_map) and the RNG schemas (/usr/share/libvirt/schemas)
#   - libxml2-utils        xmllint --relaxng
#   - qemu-system-x86      the QEMU binary libvirt probes for capabilities
# Idempotent: with everything present it does nothing.
#
#   MTYPE_ORACLES_SKIP_APT=1  never call apt-get (fail instead when something is missing)
set -euo pipefail
PKGS=(libvirt-clients libvirt-daemon libvirt-daemon-driver-qemu libvirt0 libxml2-utils qemu-system-x86)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "${MTYPE_ORACLES_SKIP_APT:-}" = 1 ]; then echo "install-libvirt: missing ${missing[*]}" >&2; exit 1; fi
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  echo "[install-libvirt] apt-get install -y ${missing[*]}"
  $SUDO apt-get update -qq
  # --no-install-recommends: no dnsmasq, firewall or polkit; the tests use only the session daemon
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "[install-libvirt] ready: $(virsh --version 2>/dev/null | sed 's/^/libvirt /'), cpu_map $(ls /usr/share/libvirt/cpu_map | wc -l) files, $(xmllint --version 2>&1 | head -1)"
