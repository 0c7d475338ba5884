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
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
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

int gstacks_spawn_close_from(posix_spawn_file_actions_t *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
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

int gstacks_window_size(int fd, unsigned short *columns, unsigned short *rows) {
    struct winsize size;
    if (ioctl(fd, TIOCGWINSZ, &size) != 0) return -1;
    *columns = size.ws_col;
    *rows = size.ws_row;
    return 0;
}

/* The calling thread joins the target's network namespace only for the socket(2) call: a socket belongs to the
   namespace it was created in, whatever thread uses it later. */
int gstacks_listen_in_netns(int pid, unsigned short port) {
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
    int own = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (own < 0) return -1;
    int target = open(path, O_RDONLY | O_CLOEXEC);
    if (target < 0) { int saved = errno; close(own); errno = saved; return -1; }
    if (setns(target, CLONE_NEWNET) != 0) { int saved = errno; close(target); close(own); errno = saved; return -1; }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int saved = errno;
    if (setns(own, CLONE_NEWNET) != 0) abort(); /* never go on in the sandbox's namespace */
    close(target);
    close(own);
    if (fd < 0) { errno = saved; return -1; }
    struct sockaddr_in address;
    memset(&address, 0, sizeof(address));
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    /* The sandbox brings its loopback up itself, maybe a moment after it was created: wait for it (at most 2 s). */
    int bound = -1;
    for (int attempt = 0; attempt < 400; attempt++) {
        bound = bind(fd, (struct sockaddr *)&address, sizeof(address));
        if (bound == 0 || errno != EADDRNOTAVAIL) break;
        usleep(5000);
    }
    if (bound != 0 || listen(fd, 64) != 0) {
        saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
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

int gstacks_window_size(int fd, unsigned short *columns, unsigned short *rows) {
    (void)fd; (void)columns; (void)rows;
    errno = ENOSYS;
    return -1;
}

int gstacks_listen_in_netns(int pid, unsigned short port) {
    (void)pid; (void)port;
    errno = ENOSYS;
    return -1;
}

int gstacks_spawn_close_from(posix_spawn_file_actions_t *actions, int lowest) {
    (void)actions; (void)lowest;
    return ENOSYS;
}
#endif

int gstacks_wait_unreaped(int pid) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    while (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) == -1) {
        if (errno != EINTR) return -1;
    }
    switch (info.si_code) {
    case CLD_EXITED: return (info.si_status & 0xff) << 8;
    case CLD_DUMPED: return (info.si_status & 0x7f) | 0x80;
    default: return info.si_status & 0x7f;
    }
}
