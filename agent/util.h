/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small helpers every module needs once: reading a clock, reading a file.
 */
#ifndef BULWARK_UTIL_H
#define BULWARK_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* clk (CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME ...) in nanoseconds. */
uint64_t util_clock_ns(clockid_t clk);
/* CLOCK_MONOTONIC in milliseconds: timers, ages, grace periods. */
uint64_t util_mono_ms(void);

/*
 * A whole regular file of at most max bytes, NUL-terminated, its length in
 * *len (may be NULL); the caller frees it. NULL with errno set: from open,
 * EINVAL if it is not a regular file, EFBIG if it is larger than max, ENOMEM.
 */
char *util_read_file(const char *path, size_t max, size_t *len);
/*
 * At most size bytes of a file into buf (not terminated), for files whose
 * size stat does not know (procfs); bytes read or -errno.
 */
ssize_t util_read_small(const char *path, char *buf, size_t size);
/*
 * A state line ("READY=1", "WATCHDOG=1") to the service manager at $NOTIFY_SOCKET (systemd's
 * sd_notify protocol: one datagram). 0 when sent, 0 without $NOTIFY_SOCKET (not under systemd),
 * or -errno.
 */
int util_sd_notify(const char *state);

#endif
