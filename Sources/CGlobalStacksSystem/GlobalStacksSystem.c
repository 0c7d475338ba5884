#define _GNU_SOURCE
#include "GlobalStacksSystem.h"
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#if defined(__linux__)
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

int gstacks_open_beneath(int dirfd, const char *path, int flags, unsigned int mode) {
    struct open_how how = {0};
    how.flags = (unsigned long long)flags;
    how.mode = (flags & (0100 | 020000000)) ? mode : 0; /* O_CREAT | O_TMPFILE */
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    /* EAGAIN: a concurrent rename kept the kernel from proving a ".." stays beneath; try a few times. */
    long result;
    int attempts = 0;
    do {
        result = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
    } while (result == -1 && errno == EAGAIN && ++attempts < 32);
    return (int)result;
}

int gstacks_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int gstacks_o_path(void) {
    return O_PATH;
}
#else
int gstacks_pipe_cloexec(int fds[2]) {
    (void)fds;
    errno = ENOSYS;
    return -1;
}

int gstacks_o_path(void) {
    return 0;
}

int gstacks_open_beneath(int dirfd, const char *path, int flags, unsigned int mode) {
    (void)dirfd; (void)path; (void)flags; (void)mode;
    errno = ENOSYS;
    return -1;
}
#endif
