#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The layering of user/ (docs/architecture.md, "The tree, by layer"): a
# folder includes only from the folders below it.  Every include of
# "folder/x.h" in user/ is checked against this order; one test per folder.
# Prints "N passed, N failed".
set -u
cd "$(dirname "$0")/.."

# Top to bottom.
ORDER=(modes cmd run probes render io symbols model lib)
EXCEPT=""

rank()
{
	local i

	for i in "${!ORDER[@]}"; do
		[[ ${ORDER[$i]} == "$1" ]] && { echo "$i"; return; }
	done
	echo -1
}

pass=0 fail=0
for d in "${ORDER[@]}"; do
	bad=
	while IFS=: read -r file _ inc; do
		to=${inc#*\"}
		to=${to%%/*}
		[[ $to == "$d" || " $EXCEPT " == *" $d:$to "* ]] && continue
		if (($(rank "$to") < 0)); then
			bad+=" $file: unknown folder '$to';"
		elif (($(rank "$to") <= $(rank "$d"))); then
			bad+=" $file includes $to/ (above $d/);"
		fi
	done < <(grep -Hn '^#include "[a-z_]*/' user/"$d"/*.[ch])
	if [[ -n $bad ]]; then
		echo "FAIL layers $d:$bad"
		fail=$((fail + 1))
	else
		echo "PASS layers $d"
		pass=$((pass + 1))
	fi
done
# No folder may be missing from the order, nor files left at the top
# besides main.c and commands.h.
extra=$(cd user && ls -d */ | tr -d / | grep -vxF -f <(printf '%s\n' "${ORDER[@]}"))
top=$(cd user && ls -p | grep -v / | grep -vxE 'main.c|commands.h')
if [[ -n $extra || -n $top ]]; then
	echo "FAIL layers tree: folders not in the order: ${extra:-none}; files at the top: ${top:-none}"
	fail=$((fail + 1))
else
	echo "PASS layers tree"
	pass=$((pass + 1))
fi
echo "$pass passed, $fail failed"
((fail == 0))
