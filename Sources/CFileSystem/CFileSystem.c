// Hand-written: the Linux calls the Swift side needs that no module on this machine exports.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
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

void cfilesystem_keep_freed_memory(int64_t bytes) {
#ifdef __GLIBC__
    mallopt(M_TRIM_THRESHOLD, (int)bytes);
#else
    (void)bytes;
#endif
}

const void *cfilesystem_find(const void *haystack, size_t length, const void *needle, size_t needle_length) {
#ifdef __GLIBC__
    return memmem(haystack, length, needle, needle_length);
#else
    if (needle_length == 0) return haystack;
    const unsigned char *bytes = haystack;
    for (size_t at = 0; at + needle_length <= length; at++) {
        if (memcmp(bytes + at, needle, needle_length) == 0) return bytes + at;
    }
    return NULL;
#endif
}
