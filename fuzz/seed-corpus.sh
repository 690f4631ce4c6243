#!/usr/bin/env bash
# Seeds fuzz/corpus/ from the fetched Linux tree (nothing from it is committed):
# the kernel's own Kconfig test inputs and a sample of real Kconfig files.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tree="${1:-$here/../kconfig-data/linux-6.12}"
mkdir -p "$here/corpus/parse" "$here/corpus/read_config"
find "$tree/scripts/kconfig/tests" -name 'Kconfig*' | while read -r f; do
    cp "$f" "$here/corpus/parse/$(md5sum < "$f" | cut -c1-16)"
done
mapfile -t kconfigs < <(find "$tree" -name 'Kconfig*' -size -4k | sort | head -n 300)
for f in "${kconfigs[@]}"; do
    cp "$f" "$here/corpus/parse/$(md5sum < "$f" | cut -c1-16)"
done
mapfile -t configs < <(find "$tree/arch" -name '*defconfig' -size -8k | sort | head -n 50)
for f in "${configs[@]}"; do
    cp "$f" "$here/corpus/read_config/$(md5sum < "$f" | cut -c1-16)"
done
echo "corpus: $(ls "$here/corpus/parse" | wc -l) Kconfig inputs, $(ls "$here/corpus/read_config" | wc -l) configs"
