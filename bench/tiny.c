// SPDX-License-Identifier: Apache-2.0
/*
 * The smallest program to exec: no libc, no dynamic loader, one exit(0)
 * syscall. The exec storm then measures exec itself, not a program's start-up.
 * Built with -static -nostdlib.
 */
void _start(void)
{
	__asm__ volatile("mov $60, %eax\n\t" /* __NR_exit */
			 "xor %edi, %edi\n\t"
			 "syscall");
}
