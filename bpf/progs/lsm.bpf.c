// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The hooks where every door converges: the kernel's security_file_open runs
 * for every open, whether a syscall (open, openat, openat2, creat,
 * open_by_handle_at), an io_uring request or the kernel itself led there,
 * after the path is resolved and before the file is usable. Two tiers attach
 * to it, one at a time, chosen by the agent's probe (agent/sensor.c):
 *
 * - lsm/file_open, a BPF LSM program: runs only where the kernel's active
 *   LSM list (/sys/kernel/security/lsm) has bpf. Booted without it, the same
 *   program loads and attaches without error and is never called (measured
 *   on Debian 12's 6.1): the list decides, never the attach.
 * - fmod_ret/security_file_open, a BPF trampoline that may replace the
 *   function's return value (the verifier allows it on security_*): works
 *   wherever trampolines do, whatever the LSM list.
 *
 * Both are "?" sections: not loaded unless the probe picked their tier.
 * They refuse the open (-EPERM) in enforce mode when a blocking rule's kernel
 * facts match (bpf/lib/block.bpf.h). A refused open's record is sent from
 * here, the only place that still has the file (its syscall exit or io_uring
 * completion only sees -EPERM): with the caller's string and arguments its
 * syscall entry saved, res -EPERM and BW_F_BLOCKED. The thread is marked, so
 * that the exit sends nothing more: one operation, one event.
 */
#include "../lib/open.bpf.h"

#define PF_IO_WORKER 0x00000010 /* include/linux/sched.h: an io-wq worker running io_uring requests */

/* Is the current task inside io_uring_enter (an io_uring request issued inline)? */
static __always_inline bool bw_in_uring_enter(void)
{
#if defined(__TARGET_ARCH_x86)
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());

	return BPF_CORE_READ(regs, orig_ax) == 426; /* __NR_io_uring_enter on x86_64 */
#else
	return false;
#endif
}

static __always_inline int bw_block_open(struct file *file)
{
	struct bw_config *cfg = bw_config();
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), one = 1;
	struct bw_pending *p;
	void *rec;

	if (!cfg || !cfg->enforce || !bw_block_match(file, cfg))
		return 0;
	bw_count(BW_CNT_BLOCKED);
	rec = bw_scratch();
	p = bpf_map_lookup_elem(&pending, &tid);
	if (rec && p && p->type == BW_EV_OPEN) {
		/* a syscall open: what its entry saved */
		bw_open_send(rec, p->syscall, BW_VIA_SYSCALL, -BW_EPERM, p->flags | BW_F_BLOCKED, p->extra[0],
			     p->extra[1], (__s32)p->extra[2], p->s0, NULL, file, NULL);
	} else if (rec) {
		/* io_uring (an io-wq worker, or inline in io_uring_enter) or the kernel's own open: the file alone */
		__u32 via = BPF_CORE_READ(bpf_get_current_task_btf(), flags) & PF_IO_WORKER ? BW_VIA_IO_URING :
											  BW_VIA_KERNEL;

		if (via == BW_VIA_KERNEL && bw_in_uring_enter())
			via = BW_VIA_IO_URING;
		bw_open_send(rec, via == BW_VIA_IO_URING ? BW_SYS_OPENAT : BW_SYS_NONE, via, -BW_EPERM, BW_F_BLOCKED,
			     BPF_CORE_READ(file, f_flags), 0, AT_FDCWD, NULL, NULL, file, NULL);
	}
	bpf_map_update_elem(&block_marks, &tid, &one, BPF_ANY);
	return -BW_EPERM;
}

SEC("?lsm/file_open")
int BPF_PROG(lsm_file_open, struct file *file, int ret)
{
	/* another LSM program refused already */
	if (ret)
		return ret;
	return bw_block_open(file);
}

SEC("?fmod_ret/security_file_open")
int BPF_PROG(fmod_file_open, struct file *file, int ret)
{
	/* nonzero skips the function and is its result: only ever a refusal */
	if (ret)
		return ret;
	return bw_block_open(file);
}
