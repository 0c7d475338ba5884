#define _GNU_SOURCE
#include "GlobalStacksSystem.h"
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#if defined(__linux__)
#include <linux/openat2.h>
#include <stdlib.h>
#include <sys/ioctl.h>
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

int gstacks_open_pty(int *primary, int *replica, unsigned short columns, unsigned short rows) {
    /* Opened close-on-exec from the start: no window in which a process another thread spawns inherits them. */
    int first = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (first < 0) return -1;
    char name[128];
    if (grantpt(first) != 0 || unlockpt(first) != 0 || ptsname_r(first, name, sizeof name) != 0) {
        close(first);
        return -1;
    }
    int second = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (second < 0) {
        close(first);
        return -1;
    }
    *primary = first;
    *replica = second;
    return gstacks_set_window_size(second, columns, rows);
}

int gstacks_terminal_session(int fd) {
    pid_t session = 0;
    return ioctl(fd, TIOCGSID, &session) == 0 ? (int)session : -1;
}

int gstacks_set_window_size(int fd, unsigned short columns, unsigned short rows) {
    struct winsize size = {0};
    size.ws_col = columns;
    size.ws_row = rows;
    return ioctl(fd, TIOCSWINSZ, &size);
}
#else
int gstacks_open_pty(int *primary, int *replica, unsigned short columns, unsigned short rows) {
    (void)primary; (void)replica; (void)columns; (void)rows;
    errno = ENOSYS;
    return -1;
}

int gstacks_terminal_session(int fd) {
    (void)fd;
    errno = ENOSYS;
    return -1;
}

int gstacks_set_window_size(int fd, unsigned short columns, unsigned short rows) {
    (void)fd; (void)columns; (void)rows;
    errno = ENOSYS;
    return -1;
}

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
