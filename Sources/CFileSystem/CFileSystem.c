// Hand-written: the Linux calls the Swift side needs that no module on this machine exports.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <pthread.h>
#include <sched.h>
#endif
#ifdef __GLIBC__
#include <malloc.h>
#include <spawn.h>
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

#ifdef __linux__
static int64_t cfilesystem_splice_through(int pipe_out, int pipe_in, int destination, int source, int64_t offset,
                                          int64_t length, int *error) {
    long page = sysconf(_SC_PAGESIZE);
    int capacity = fcntl(pipe_in, F_SETPIPE_SZ, 1 << 20);
    if (capacity < 0) capacity = fcntl(pipe_in, F_GETPIPE_SZ);
    // A piece of n destination pages spans up to n + 1 source pages, one pipe buffer each.
    int64_t piece = page > 0 && capacity > 0 ? ((int64_t)capacity / page - 1) * page : 0;
    if (piece <= 0) {
        *error = EINVAL;
        return 0;
    }
    off64_t from = offset;
    int64_t copied = 0;
    while (copied < length) {
        int64_t want = length - copied < piece ? length - copied : piece;
        int64_t held = 0;
        while (held < want) {
            ssize_t count = splice(source, &from, pipe_in, NULL, (size_t)(want - held), SPLICE_F_MOVE);
            if (count < 0 && errno == EINTR) continue;
            if (count <= 0) {
                *error = count == 0 ? -1 : errno;
                // What the pipe holds is written first, so that the count is of bytes written.
                want = held;
                break;
            }
            held += count;
        }
        while (held > 0) {
            ssize_t count = splice(pipe_out, NULL, destination, NULL, (size_t)held, SPLICE_F_MOVE);
            if (count < 0 && errno == EINTR) continue;
            if (count <= 0) {
                *error = count == 0 ? EIO : errno;
                return copied;
            }
            held -= count;
            copied += count;
        }
        if (*error != 0) return copied;
    }
    return copied;
}

int64_t cfilesystem_splice_pages(int destination, int source, int64_t offset, int64_t length, int *error) {
    *error = 0;
    int ends[2];
    if (pipe2(ends, O_CLOEXEC) != 0) {
        *error = errno;
        return 0;
    }
    int64_t copied = cfilesystem_splice_through(ends[0], ends[1], destination, source, offset, length, error);
    close(ends[0]);
    close(ends[1]);
    return copied;
}
#else
int64_t cfilesystem_splice_pages(int destination, int source, int64_t offset, int64_t length, int *error) {
    (void)destination;
    (void)source;
    (void)offset;
    (void)length;
    *error = ENOSYS;
    return 0;
}
#endif

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
extern char **environ;

int cfilesystem_spawn_detached(const char *path, char *const argv[], pid_t *child) {
    posix_spawn_file_actions_t actions;
    int error = posix_spawn_file_actions_init(&actions);
    if (error != 0) return error;
    error = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    if (error == 0) error = posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    if (error == 0) error = posix_spawn_file_actions_adddup2(&actions, 1, 2);
    if (error == 0) error = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    if (error == 0) error = posix_spawn(child, path, &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    return error;
}
#else
int cfilesystem_spawn_detached(const char *path, char *const argv[], pid_t *child) {
    (void)path;
    (void)argv;
    (void)child;
    return ENOSYS;
}
#endif

int cfilesystem_affinity_cores(void) {
#ifdef __linux__
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return 0;
    return CPU_COUNT(&set);
#else
    return 0;
#endif
}

int cfilesystem_current_cpu(void) {
#ifdef __linux__
    return sched_getcpu();
#else
    return -1;
#endif
}

#ifdef __linux__
// The process's cores: its first thread's mask (the project binds no thread for longer than
// ``cfilesystem_move_off`` takes, so this is the mask the process was started with).
static cpu_set_t process_cores;
static int process_cores_known;
static pthread_once_t process_cores_once = PTHREAD_ONCE_INIT;

static void find_process_cores(void) {
    CPU_ZERO(&process_cores);
    process_cores_known = sched_getaffinity(getpid(), sizeof process_cores, &process_cores) == 0;
}
#endif

int cfilesystem_move_off(int cpu) {
#ifdef __linux__
    if (cpu < 0 || cpu >= CPU_SETSIZE || sched_getcpu() != cpu) return -1;
    pthread_once(&process_cores_once, find_process_cores);
    if (!process_cores_known || !CPU_ISSET(cpu, &process_cores)) return -1;
    cpu_set_t elsewhere = process_cores;
    CPU_CLR(cpu, &elsewhere);
    // The kernel moves a running thread off a core its new mask leaves out before returning.
    if (CPU_COUNT(&elsewhere) == 0 || sched_setaffinity(0, sizeof elsewhere, &elsewhere) != 0) return -1;
    int moved_to = sched_getcpu();
    sched_setaffinity(0, sizeof process_cores, &process_cores);
    return moved_to;
#else
    (void)cpu;
    return -1;
#endif
}

void cfilesystem_tune_malloc(int64_t keep, int64_t map_above) {
#ifdef __GLIBC__
    mallopt(M_TRIM_THRESHOLD, (int)keep);
    mallopt(M_MMAP_THRESHOLD, (int)map_above);
#else
    (void)keep;
    (void)map_above;
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
