#ifndef CFILESYSTEM_H
#define CFILESYSTEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/// Starts writing a byte range of an open file back to disk without waiting for it (Linux's
/// `sync_file_range` with `SYNC_FILE_RANGE_WRITE`, which Swift's Glibc module does not export);
/// 0 on success, -1 with `errno` set. Elsewhere it does nothing and returns 0.
int cfilesystem_start_writeback(int descriptor, int64_t offset, int64_t length);

/// Allocates disk blocks for a byte range of an open file ahead of writing it, without changing
/// its size (Linux's `fallocate` with `FALLOC_FL_KEEP_SIZE`): the kernel then maps each page
/// written there to a block already allocated instead of reserving one per page. 0 on success,
/// -1 with `errno` set (a file system without it: nothing is lost, writing allocates as before).
int cfilesystem_preallocate(int descriptor, int64_t offset, int64_t length);

/// Copies `length` bytes of `source` from `offset` to the file position of `destination`, by the
/// kernel through a pipe of its own (`splice`), in pieces that each end on a page boundary of
/// the destination: its position and `length` must be multiples of the page size. `sendfile`
/// moves 64 KB at a time, so where the source is not page-aligned every piece ends inside a
/// destination page, which the kernel must first read when the file is an old one written over
/// and that page is no longer in memory. Returns the bytes copied; `*error` is 0 when all were,
/// else `errno` (EINVAL or ENOSYS when splicing cannot be done here: copy another way), or -1
/// when the source ended first. Elsewhere copies nothing, with ENOSYS.
int64_t cfilesystem_splice_pages(int destination, int source, int64_t offset, int64_t length, int *error);

/// Starts the program at `path` with `argv` (NULL-terminated) and this process's environment,
/// without waiting for it: its standard input, output and error on /dev/null and no other
/// descriptor of this process open in it (glibc's `posix_spawn_file_actions_addclosefrom_np`).
/// The child's id goes to `child`, for the caller to reap it (or to leave it to the caller's exit).
/// Returns 0, or an `errno` value: ENOSYS where it cannot be done so (start it another way).
int cfilesystem_spawn_detached(const char *path, char *const argv[], pid_t *child);

/// The cores this process's affinity mask allows (`sched_getaffinity` and `CPU_COUNT`, which
/// Swift's Glibc module does not export); 0 where it cannot be read.
int cfilesystem_affinity_cores(void);

/// The core the calling thread runs on now (`sched_getcpu`), or -1 where it cannot be told.
int cfilesystem_current_cpu(void);
/// Moves the calling thread off `cpu` when it runs there and the process may use another core:
/// bound for a moment to the process's other cores (`sched_setaffinity`, which moves it at once),
/// then given the process's mask again, so that no binding outlives the call (a thread created
/// meanwhile would inherit it). Returns the core it moved to, or -1 when it did not move (not on
/// `cpu`, no other core allowed, or not Linux).
int cfilesystem_move_off(int cpu);
/// Lets glibc keep up to `keep` bytes of freed memory at the top of each heap rather than hand
/// it back to the kernel, and serve blocks up to `map_above` bytes from the heap rather than
/// mapping each one of its own (`mallopt(M_TRIM_THRESHOLD)`, `mallopt(M_MMAP_THRESHOLD)`, which
/// Swift's Glibc module does not export). Elsewhere it does nothing.
void cfilesystem_tune_malloc(int64_t keep, int64_t map_above);

/// The first place `needle` occurs in `haystack`, or NULL (glibc's `memmem`, a GNU extension
/// Swift's Glibc module does not export; a plain search elsewhere).
const void *cfilesystem_find(const void *haystack, size_t length, const void *needle, size_t needle_length);

/// Asks the processor to bring the cache line holding `address` in, without waiting for it
/// (`__builtin_prefetch`, which Swift cannot call): for lookups whose addresses are known a few
/// steps ahead of the loads.
static inline void cfilesystem_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
