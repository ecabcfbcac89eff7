// Small wrappers for system calls that Swift's Glibc module does not expose.
#pragma once
#include <stddef.h>
#include <errno.h>

#if defined(__linux__)
#include <sys/syscall.h>
extern long syscall(long number, ...);
/// copy_file_range(2); returns -1 with errno ENOSYS where unavailable.
static inline long ggufkit_copy_file_range(int fd_in, long long *off_in, int fd_out, long long *off_out, size_t len) {
#ifdef SYS_copy_file_range
    return syscall(SYS_copy_file_range, fd_in, off_in, fd_out, off_out, len, 0u);
#else
    errno = ENOSYS;
    return -1;
#endif
}
#else
static inline long ggufkit_copy_file_range(int fd_in, long long *off_in, int fd_out, long long *off_out, size_t len) {
    (void)fd_in; (void)off_in; (void)fd_out; (void)off_out; (void)len;
    errno = ENOSYS;
    return -1;
}
#endif
