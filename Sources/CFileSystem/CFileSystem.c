// Hand-written: the Linux calls the Swift side needs that no module on this machine exports.
#define _GNU_SOURCE
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "CFileSystem.h"

int cfilesystem_start_writeback(int descriptor, int64_t offset, int64_t length) {
#ifdef __linux__
    return sync_file_range(descriptor, offset, length, SYNC_FILE_RANGE_WRITE);
#else
    (void)descriptor;
    (void)offset;
    (void)length;
    return 0;
#endif
}

void cfilesystem_keep_freed_memory(int64_t bytes) {
#ifdef __GLIBC__
    mallopt(M_TRIM_THRESHOLD, (int)bytes);
#else
    (void)bytes;
#endif
}
