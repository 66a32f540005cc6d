// Hand-written: the Linux calls the Swift side needs that no module on this machine exports.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "CFileSystem.h"

#ifdef __linux__
int cfilesystem_start_writeback(int descriptor, int64_t offset, int64_t length) {
    return sync_file_range(descriptor, offset, length, SYNC_FILE_RANGE_WRITE);
}

int cfilesystem_preallocate(int descriptor, int64_t offset, int64_t length) {
    return fallocate(descriptor, FALLOC_FL_KEEP_SIZE, offset, length);
}
#else
// Elsewhere neither call exists; both are only hints, so doing nothing is correct.
static int cfilesystem_nothing(int descriptor, int64_t offset, int64_t length) {
    (void)descriptor;
    (void)offset;
    (void)length;
    return 0;
}

int cfilesystem_start_writeback(int descriptor, int64_t offset, int64_t length) {
    return cfilesystem_nothing(descriptor, offset, length);
}

int cfilesystem_preallocate(int descriptor, int64_t offset, int64_t length) {
    return cfilesystem_nothing(descriptor, offset, length);
}
#endif

// glibc has no wrapper for cachestat; its number is the same on every architecture that numbers
// new calls alike (x86-64, arm64 and the generic table).
#if defined(__linux__) && !defined(SYS_cachestat) && (defined(__x86_64__) || defined(__aarch64__))
#define SYS_cachestat 451
#endif

int cfilesystem_is_in_memory(int descriptor, int64_t length) {
#ifdef SYS_cachestat
    struct {
        uint64_t offset, length;
    } range = {0, (uint64_t)length};
    struct {
        uint64_t cached, dirty, writeback, evicted, recentlyEvicted;
    } counts;
    if (length <= 0) return 1;
    if (syscall(SYS_cachestat, descriptor, &range, &counts, 0) != 0) return -1;
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    return counts.cached >= ((uint64_t)length + page - 1) / page;
#else
    (void)descriptor;
    (void)length;
    return -1;
#endif
}

void cfilesystem_keep_freed_memory(int64_t bytes) {
#ifdef __GLIBC__
    mallopt(M_TRIM_THRESHOLD, (int)bytes);
#else
    (void)bytes;
#endif
}
