// SPDX-License-Identifier: Apache-2.0
/*
 * The kernel's floor for the benchmarks: attaches the do-nothing programs of
 * bench/floor.bpf.c to exactly the hooks that bulwark's BPF object declares
 * (its syscall tracepoints and tp_btf hooks, skipping tracepoints this kernel
 * lacks, as the agent does), then waits for SIGINT/SIGTERM.
 *
 *   floor [--raw-syscalls] BULWARK_BPF_OBJ FLOOR_BPF_OBJ
 *
 * --raw-syscalls: the alternative design instead of the per-syscall
 * tracepoints: tp_btf sys_enter/sys_exit, run by every syscall, with an array
 * lookup on the syscall number (the tp_btf hooks stay as they are).
 *
 * Logs "floor ready: N tracepoints, M tp_btf" on stderr once attached, and
 * the hooks, one "hook <section>" line each.
 */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_HOOKS 128
#define N_BTF_PROGS 12 /* floor_btf0..11 in floor.bpf.c */
#define TRACEFS "/sys/kernel/tracing/events/"

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

/* the syscalls behind bulwark's tracepoints (the tracepoint of umount2 is named "umount") */
static const struct {
	const char *name;
	int nr;
} syscalls[] = {
	{ "open", SYS_open }, { "openat", SYS_openat }, { "openat2", SYS_openat2 }, { "creat", SYS_creat },
	{ "chmod", SYS_chmod }, { "fchmod", SYS_fchmod }, { "fchmodat", SYS_fchmodat },
	{ "fchmodat2", SYS_fchmodat2 }, { "mount", SYS_mount }, { "umount", SYS_umount2 },
	{ "fsopen", SYS_fsopen }, { "fsconfig", SYS_fsconfig }, { "fsmount", SYS_fsmount },
	{ "move_mount", SYS_move_mount }, { "open_tree", SYS_open_tree }, { "pivot_root", SYS_pivot_root },
	{ "chroot", SYS_chroot }, { "unshare", SYS_unshare }, { "setns", SYS_setns }, { "connect", SYS_connect },
	{ "bind", SYS_bind }, { "listen", SYS_listen }, { "ptrace", SYS_ptrace }, { "init_module", SYS_init_module },
	{ "finit_module", SYS_finit_module }, { "bpf", SYS_bpf }, { "memfd_create", SYS_memfd_create },
	{ "setuid", SYS_setuid }, { "setgid", SYS_setgid }, { "setreuid", SYS_setreuid },
	{ "setregid", SYS_setregid }, { "setresuid", SYS_setresuid }, { "setresgid", SYS_setresgid },
	{ "setfsuid", SYS_setfsuid }, { "setfsgid", SYS_setfsgid }, { "execve", SYS_execve },
	{ "execveat", SYS_execveat }, { "open_by_handle_at", SYS_open_by_handle_at }, { "mmap", SYS_mmap },
	{ "mprotect", SYS_mprotect }, { "process_vm_readv", SYS_process_vm_readv },
	{ "process_vm_writev", SYS_process_vm_writev }, { "socket", SYS_socket }, { "link", SYS_link },
	{ "linkat", SYS_linkat }, { "symlink", SYS_symlink }, { "symlinkat", SYS_symlinkat }, { "rename", SYS_rename },
	{ "renameat", SYS_renameat }, { "renameat2", SYS_renameat2 }, { "unlink", SYS_unlink },
	{ "unlinkat", SYS_unlinkat }, { "mkdir", SYS_mkdir }, { "mkdirat", SYS_mkdirat }, { "dup", SYS_dup },
	{ "dup2", SYS_dup2 }, { "dup3", SYS_dup3 }, { "userfaultfd", SYS_userfaultfd },
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int syscall_nr(const char *tp)
{
	const char *name = strncmp(tp, "sys_enter_", 10) == 0 ? tp + 10 : strncmp(tp, "sys_exit_", 9) == 0 ? tp + 9 : NULL;
	size_t i;

	for (i = 0; name && i < sizeof(syscalls) / sizeof(syscalls[0]); i++)
		if (strcmp(name, syscalls[i].name) == 0)
			return syscalls[i].nr;
	return -1;
}

int main(int argc, char **argv)
{
	char *tps[MAX_HOOKS], *btfs[MAX_HOOKS], path[512];
	struct bpf_link *links[MAX_HOOKS * 2];
	struct bpf_object *bw = NULL, *fl = NULL;
	struct btf *vmlinux = NULL;
	struct bpf_program *prog;
	int n_tp = 0, n_btf = 0, n_links = 0, i, raw = 0, status = 1;

	if (argc > 1 && strcmp(argv[1], "--raw-syscalls") == 0) {
		raw = 1;
		argv++;
		argc--;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: floor [--raw-syscalls] BULWARK_BPF_OBJ FLOOR_BPF_OBJ\n");
		return 2;
	}
	/* the hooks, from bulwark's object: never a list kept by hand */
	vmlinux = btf__load_vmlinux_btf();
	bw = bpf_object__open_file(argv[1], NULL);
	if (!bw) {
		fprintf(stderr, "floor: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	bpf_object__for_each_program(prog, bw) {
		const char *sec = bpf_program__section_name(prog);

		if (n_tp == MAX_HOOKS || n_btf == MAX_HOOKS)
			break;
		if (strncmp(sec, "tracepoint/", 11) == 0) {
			snprintf(path, sizeof(path), TRACEFS "%s", sec + 11);
			if (access(path, F_OK) == 0) /* optional hooks the kernel lacks: skipped, as bulwark does */
				tps[n_tp++] = strdup(sec + 11);
		} else if (strncmp(sec, "tp_btf/", 7) == 0) {
			/*
			 * bulwark carries variants for tracepoints that differ between kernels (io_uring's)
			 * and loads those this kernel has: the floor hooks each that exists, once
			 */
			snprintf(path, sizeof(path), "btf_trace_%s", sec + 7);
			for (i = 0; i < n_btf && strcmp(btfs[i], sec + 7) != 0; i++)
				;
			if (i == n_btf && vmlinux && btf__find_by_name_kind(vmlinux, path, BTF_KIND_TYPEDEF) > 0)
				btfs[n_btf++] = strdup(sec + 7);
		} else if (strcmp(sec, "tracepoint") == 0 || strncmp(sec, "lsm/", 4) == 0 || strncmp(sec, "fmod_ret/", 9) == 0) {
			/* tail-call targets bulwark never attaches; the LSM tier's programs, loaded only where it runs */
			continue;
		} else {
			fprintf(stderr, "floor: %s: hook type %s not known here\n", bpf_program__name(prog), sec);
			goto out;
		}
	}
	if (n_btf > N_BTF_PROGS) {
		fprintf(stderr, "floor: %d tp_btf hooks, floor.bpf.c has %d programs\n", n_btf, N_BTF_PROGS);
		goto out;
	}
	fl = bpf_object__open_file(argv[2], NULL);
	if (!fl) {
		fprintf(stderr, "floor: %s: %s\n", argv[2], strerror(errno));
		goto out;
	}
	bpf_object__for_each_program(prog, fl) {
		const char *name = bpf_program__name(prog);

		if (strncmp(name, "floor_btf", 9) == 0) {
			i = atoi(name + 9);
			if (i < n_btf)
				bpf_program__set_attach_target(prog, 0, btfs[i]);
			else
				bpf_program__set_autoload(prog, false);
		} else if (strncmp(name, "floor_tp", 8) == 0) {
			bpf_program__set_autoload(prog, !raw);
		} else {
			bpf_program__set_autoload(prog, raw);
		}
	}
	if (bpf_object__load(fl)) {
		fprintf(stderr, "floor: load: %s\n", strerror(errno));
		goto out;
	}
	if (raw) {
		int fd = bpf_map__fd(bpf_object__find_map_by_name(fl, "floor_sysnrs"));
		__u32 one = 1;

		for (i = 0; i < n_tp; i++) {
			int nr = syscall_nr(strchr(tps[i], '/') + 1);

			if (nr < 0 || bpf_map_update_elem(fd, &(__u32){ nr }, &one, BPF_ANY)) {
				fprintf(stderr, "floor: no syscall number for %s\n", tps[i]);
				goto out;
			}
		}
	}
	bpf_object__for_each_program(prog, fl) {
		const char *name = bpf_program__name(prog);

		if (!bpf_program__autoload(prog))
			continue;
		if (strncmp(name, "floor_tp", 8) == 0) {
			/*
			 * Two of bulwark's programs may share a tracepoint (and one program attaches to
			 * a tracepoint once): floor_tp takes each first one, floor_tp2 the second.
			 */
			bool second = strcmp(name, "floor_tp2") == 0;

			for (i = 0; i < n_tp; i++) {
				char *slash = strchr(tps[i], '/');
				int j;

				for (j = 0; j < i && strcmp(tps[j], tps[i]) != 0; j++)
					;
				if ((j < i) != second)
					continue;

				*slash = '\0';
				links[n_links] = bpf_program__attach_tracepoint(prog, tps[i], slash + 1);
				*slash = '/';
				if (!links[n_links]) {
					fprintf(stderr, "floor: attach %s: %s\n", tps[i], strerror(errno));
					goto out;
				}
				n_links++;
				fprintf(stderr, "hook tracepoint/%s\n", tps[i]);
			}
			continue;
		}
		links[n_links] = bpf_program__attach(prog);
		if (!links[n_links]) {
			fprintf(stderr, "floor: attach %s: %s\n", name, strerror(errno));
			goto out;
		}
		n_links++;
		if (strncmp(name, "floor_btf", 9) == 0)
			fprintf(stderr, "hook tp_btf/%s\n", btfs[atoi(name + 9)]);
		else
			fprintf(stderr, "hook %s\n", bpf_program__section_name(prog));
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fprintf(stderr, "floor ready: %d tracepoints, %d tp_btf%s\n", raw ? 0 : n_tp, n_btf,
		raw ? ", raw sys_enter/sys_exit" : "");
	while (!stop)
		pause();
	status = 0;
out:
	for (i = 0; i < n_links; i++)
		bpf_link__destroy(links[i]);
	btf__free(vmlinux);
	bpf_object__close(fl);
	bpf_object__close(bw);
	for (i = 0; i < n_tp; i++)
		free(tps[i]);
	for (i = 0; i < n_btf; i++)
		free(btfs[i]);
	return status;
}
