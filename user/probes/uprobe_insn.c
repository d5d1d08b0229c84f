// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "probes/uprobe_insn.h"

bool uprobe_insn_ok(const uint8_t *code, size_t len, const char **why)
{
	size_t i = 0;

	/* Legacy prefixes, then REX. */
	for (; i < len && i < 14; i++) {
		switch (code[i]) {
		case 0xf0:
			*why = "starts with a lock prefix";
			return false;
		case 0x26: case 0x2e: case 0x36: case 0x3e:
			*why = "has an ES/CS/SS/DS segment prefix";
			return false;
		case 0x66: case 0x67: case 0xf2: case 0xf3: case 0x64: case 0x65:
			continue;
		}
		break;
	}
	if (i < len && (code[i] & 0xf0) == 0x40)
		i++;
	if (i >= len) {
		*why = "no code bytes";
		return false;
	}
	switch (code[i]) {
	case 0xcc: case 0xcd: case 0xce: case 0xf1:
		*why = "starts with a breakpoint or software interrupt";
		return false;
	case 0xf4: case 0xfa: case 0xfb:
		*why = "starts with a privileged instruction";
		return false;
	case 0x0f:
		if (i + 1 < len && (code[i + 1] == 0x05 || code[i + 1] == 0x34 ||
				    code[i + 1] == 0x0b || code[i + 1] == 0xb9)) {
			*why = "starts with syscall, sysenter or ud";
			return false;
		}
		break;
	}
	return true;
}
