/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BULWARK_RINGMERGE_H
#define BULWARK_RINGMERGE_H

#include <stddef.h>
#include <stdint.h>

/*
 * The two rings merged back into kernel-time order, within a bounded window.
 *
 * The critical ring is read first, so that a flood of opens never delays an
 * exec; but every event must meet the process state of its time (a connect
 * made just before an exec is evaluated before it, against the image that
 * made it). A read round: take the horizon (the kernel clock now), set every
 * critical record aside, then read the common ring, handing on before each of
 * its records the set-aside ones that are older. A common record newer than
 * the horizon is set aside and ends the round: the critical records of its
 * time may not be read yet. At the round's end what is older than the horizon
 * goes on; the rest waits for a later round (the loop comes back within a
 * millisecond while anything waits; a time more than 1 s ahead is not trusted).
 *
 * Only the rare critical records (and one common record a round) are copied.
 */
struct ringmerge;

typedef void (*ringmerge_deliver_fn)(void *ctx, const void *data, size_t size);

struct ringmerge *ringmerge__new(ringmerge_deliver_fn deliver, void *ctx);
void ringmerge__free(struct ringmerge *m);

/* A new round: records up to kernel time @horizon may go on by its end. */
void ringmerge__begin(struct ringmerge *m, uint64_t horizon);
/* Copies a record aside (it starts with struct bw_hdr); -ENOMEM: the caller hands it on itself. */
int ringmerge__aside(struct ringmerge *m, const void *data, size_t size);
/* Hands on the set-aside records of kernel time <= @ktime, oldest first. */
void ringmerge__until(struct ringmerge *m, uint64_t ktime);
/* The round's end: the records up to the horizon go on. */
void ringmerge__end(struct ringmerge *m);
/* Everything set aside goes on (the agent stops). */
void ringmerge__flush(struct ringmerge *m);
/* Records set aside: the loop comes back for them within a millisecond. */
size_t ringmerge__pending(const struct ringmerge *m);
uint64_t ringmerge__horizon(const struct ringmerge *m);

#endif
