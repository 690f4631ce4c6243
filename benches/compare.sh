#!/usr/bin/env bash
# Side by side, in one run: x86_64 `olddefconfig` on Linux 6.12 by
#   kconfig-sat conf with replayed probes, kconfig-sat conf with live probes,
#   the kernel's own scripts/kconfig/conf, and Kconfiglib (pip `kconfiglib`,
#   with its `modules` keyword handling patched at run time, see
#   benches/support/kconfiglib_olddefconfig.py).
# Prints a markdown table (hyperfine) for docs/performance.md.
#
#   benches/compare.sh [RUNS]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-15}"
tree="$("$here/kconfig-data/fetch-linux.sh" 6.12)"
command -v hyperfine >/dev/null || { apt-get install -y -qq hyperfine >&2; }
python3 -c 'import kconfiglib' 2>/dev/null || python3 -m pip install -q kconfiglib >&2
(cd "$here" && cargo build --release -q)
bin="$here/target/release/kconfig-sat"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

export srctree="$tree" ARCH=x86_64 SRCARCH=x86 SUBARCH=x86 CC=gcc LD=ld HOSTCC=gcc AR=ar NM=nm OBJCOPY=objcopy
export CC_VERSION_TEXT="$(LC_ALL=C gcc --version | head -n1)" RUSTC=rustc BINDGEN=bindgen PAHOLE=pahole
export HOSTPKG_CONFIG=pkg-config KERNELVERSION="$(make -s -C "$tree" kernelversion)" KCONFIG_DEFCONFIG_LIST=

# The input: the x86_64 defconfig made by the C tool; and a probe profile.
"$tree/scripts/kconfig/conf" -s --defconfig=arch/x86/configs/x86_64_defconfig Kconfig >/dev/null
cp .config base.config
"$bin" probe record --tree "$tree" --arch x86_64 -o probes.json >/dev/null
mkdir -p include/config && touch include/config/auto.conf   # all tools: .config only

echo "machine: $(nproc) cores, $(LC_ALL=C lscpu | sed -n 's/^Model name: *//p'), $(date -u +%F)"
hyperfine -N -w 2 -r "$runs" --export-markdown table.md --export-json table.json \
  --prepare "cp base.config .config" \
  -n "kconfig-sat (replayed probes)" "$bin conf -s --probes=replay:probes.json --olddefconfig Kconfig" \
  -n "kconfig-sat (live probes)" "$bin conf -s --olddefconfig Kconfig" \
  -n "C conf (scripts/kconfig, live probes)" "$tree/scripts/kconfig/conf -s --olddefconfig Kconfig" \
  -n "Kconfiglib 14.1 (patched for modules, live probes)" "python3 $here/benches/support/kconfiglib_olddefconfig.py Kconfig" >&2
cat table.md
# The goal is stated as a median: hyperfine's markdown shows means.
python3 - table.json <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"median {r['median'] * 1000:8.1f} ms  {r['command']}")
PY

# The SAT commands, end to end with replayed probes: check of a 50-line
# hardening fragment (three lines are rejected), solve of a 100-line
# hardening request with the minimal change from the defconfig, and nixpkgs'
# verdict on a 300-line answers file.
data="$here/benches/data"
hyperfine -N -w 2 -r "$runs" --export-markdown sat.md \
  -n "check, 50 lines (kspp-x86_64-50.config)" "$bin check --tree $tree --probes=replay:probes.json $data/kspp-x86_64-50.config" \
  -n "solve, 100 lines (kspp-x86_64-solve.config)" "$bin solve --tree $tree --probes=replay:probes.json -o solved.config $data/kspp-x86_64-solve.config" \
  -n "nixos, 300-line answers file (answers-300.answers)" "$bin nixos --tree $tree --probes=replay:probes.json $data/answers-300.answers" \
  -i >&2
cat sat.md
