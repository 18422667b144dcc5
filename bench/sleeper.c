// SPDX-License-Identifier: Apache-2.0
/*
 * A process that only waits to be killed: the processes of bench/procfarm.c.
 * No libc, built with -static -nostdlib, so ten thousand of them cost little.
 */
void _start(void)
{
	for (;;)
		__asm__ volatile("mov $34, %%eax\n\t" /* __NR_pause */
				 "syscall" ::: "rax", "rcx", "r11", "memory");
}
