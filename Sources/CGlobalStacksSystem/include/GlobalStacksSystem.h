#ifndef GLOBALSTACKS_SYSTEM_H
#define GLOBALSTACKS_SYSTEM_H

#include <spawn.h>

/// openat2(2) with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS: `path` is resolved by the kernel strictly beneath
/// `dirfd` (no `..` above it, no absolute path, no symlink leading out, no /proc magic link), atomically, so a path
/// swapped for a symlink at the same moment cannot lead out. Swift cannot call the variadic syscall(2) itself.
/// Returns the descriptor, or -1 with errno (ENOSYS where the kernel or system has no openat2).
int gstacks_open_beneath(int dirfd, const char *path, int flags, unsigned int mode);

/// pipe2(2) with O_CLOEXEC: neither end leaks into a process another thread spawns at the same moment.
int gstacks_pipe_cloexec(int fds[2]);

/// O_PATH (a descriptor that only names a directory), which the Swift Glibc module does not export.
int gstacks_o_path(void);

/// A new pseudo-terminal pair of the given size, both ends close-on-exec; 0 or -1 with errno.
int gstacks_open_pty(int *primary, int *replica, unsigned short columns, unsigned short rows);

/// Sets a terminal's window size (TIOCSWINSZ; the foreground process group gets SIGWINCH).
int gstacks_set_window_size(int fd, unsigned short columns, unsigned short rows);

/// A terminal's window size (TIOCGWINSZ); 0, or -1 with errno when `fd` is not a terminal.
int gstacks_window_size(int fd, unsigned short *columns, unsigned short *rows);

/// The session a terminal belongs to (TIOCGSID), or -1.
int gstacks_terminal_session(int fd);

/// A TCP socket listening on 127.0.0.1:`port` inside the network namespace of process `pid` (a sandbox's init), made
/// by entering that namespace on this thread for the socket(2) call only. Needs CAP_SYS_ADMIN over the namespace
/// (root). Returns the descriptor (close-on-exec), or -1 with errno.
int gstacks_listen_in_netns(int pid, unsigned short port);

/// Adds to `actions` the closing of every descriptor from `lowest` up (glibc's posix_spawn_file_actions_addclosefrom_np,
/// close_range(2) in the child): the child keeps what the earlier actions placed below `lowest` and nothing else,
/// whatever the parent's libraries left without close-on-exec. 0, or an error number.
int gstacks_spawn_close_from(posix_spawn_file_actions_t *actions, int lowest);

/// Waits until child `pid` ends without reaping it (waitid with WNOWAIT): while it stays a zombie its pid, and so its
/// process group id, cannot be given to another process, so signalling the group stays safe until it is reaped.
/// Returns its status encoded as waitpid(2) does (for WIFEXITED and friends), or -1 with errno.
int gstacks_wait_unreaped(int pid);

#endif
