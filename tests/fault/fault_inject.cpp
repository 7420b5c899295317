// LD_PRELOAD fault injector for tests: a full disk, a broken disk, a slow disk or a crash at one
// moment, for the files whose path contains a pattern. The real program and the real SQLite run
// on top; only the system calls that write or sync answer as a failing machine would.
//
// The file named by DG_FAULT_FILE holds one line, re-read whenever it changes:
//   off                       no faults (also: file missing or empty)
//   enospc PATTERN            write/pwrite fail with ENOSPC (disk full)
//   eio PATTERN               write/pwrite fail with EIO (broken disk)
//   eio-read PATTERN          read/pread fail with EIO (a disk that cannot be read)
//   fsync-eio PATTERN         fsync/fdatasync fail with EIO
//   slow-fsync PATTERN MS     fsync/fdatasync take MS milliseconds longer
//   kill PATTERN              SIGKILL at the first write (a crash, or power cut, at that moment)
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <string>

namespace {

enum class Mode { Off, Enospc, Eio, EioRead, FsyncEio, SlowFsync, Kill };

struct Rule {
    Mode mode = Mode::Off;
    std::string pattern;
    long ms = 0;
};

std::mutex mu;
Rule rule;
timespec seen_mtime{};
off_t seen_size = -1;

Rule current() {
    const char* file = std::getenv("DG_FAULT_FILE");
    if (!file) return {};
    struct stat st;
    std::lock_guard lock(mu);
    if (stat(file, &st) != 0) {
        rule = {};
        seen_size = -1;
        return rule;
    }
    if (st.st_mtim.tv_sec == seen_mtime.tv_sec && st.st_mtim.tv_nsec == seen_mtime.tv_nsec && st.st_size == seen_size) return rule;
    seen_mtime = st.st_mtim;
    seen_size = st.st_size;
    rule = {};
    if (FILE* f = std::fopen(file, "r")) {
        char mode[32] = {}, pattern[256] = {};
        long ms = 0;
        const int n = std::fscanf(f, "%31s %255s %ld", mode, pattern, &ms);
        std::fclose(f);
        if (n >= 2) {
            const std::string m = mode;
            rule.pattern = pattern;
            rule.ms = ms;
            rule.mode = m == "enospc"       ? Mode::Enospc
                        : m == "eio"        ? Mode::Eio
                        : m == "eio-read"   ? Mode::EioRead
                        : m == "fsync-eio"  ? Mode::FsyncEio
                        : m == "slow-fsync" ? Mode::SlowFsync
                        : m == "kill"       ? Mode::Kill
                                            : Mode::Off;
        }
    }
    return rule;
}

bool matches(int fd, const Rule& r) {
    if (r.mode == Mode::Off) return false;
    char link[64], path[4096];
    std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    const ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0) return false;
    path[n] = '\0';
    return std::strstr(path, r.pattern.c_str()) != nullptr;
}

// The fault for a write on fd: 0 to go ahead, else the errno to fail with.
int write_fault(int fd) {
    const Rule r = current();
    if ((r.mode != Mode::Enospc && r.mode != Mode::Eio && r.mode != Mode::Kill) || !matches(fd, r)) return 0;
    if (r.mode == Mode::Kill) kill(getpid(), SIGKILL);
    return r.mode == Mode::Enospc ? ENOSPC : EIO;
}

int read_fault(int fd) {
    const Rule r = current();
    return r.mode == Mode::EioRead && matches(fd, r) ? EIO : 0;
}

int sync_fault(int fd) {
    const Rule r = current();
    if ((r.mode != Mode::FsyncEio && r.mode != Mode::SlowFsync) || !matches(fd, r)) return 0;
    if (r.mode == Mode::SlowFsync) {
        const timespec t{r.ms / 1000, (r.ms % 1000) * 1000000};
        nanosleep(&t, nullptr);
        return 0;
    }
    return EIO;
}

template <class F>
F real(const char* name) {
    return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

}  // namespace

extern "C" {

ssize_t write(int fd, const void* buf, size_t n) {
    static auto next = real<ssize_t (*)(int, const void*, size_t)>("write");
    if (const int e = write_fault(fd)) {
        errno = e;
        return -1;
    }
    return next(fd, buf, n);
}

ssize_t pwrite(int fd, const void* buf, size_t n, off_t off) {
    static auto next = real<ssize_t (*)(int, const void*, size_t, off_t)>("pwrite");
    if (const int e = write_fault(fd)) {
        errno = e;
        return -1;
    }
    return next(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void* buf, size_t n, off64_t off) {
    static auto next = real<ssize_t (*)(int, const void*, size_t, off64_t)>("pwrite64");
    if (const int e = write_fault(fd)) {
        errno = e;
        return -1;
    }
    return next(fd, buf, n, off);
}

ssize_t writev(int fd, const struct iovec* iov, int count) {
    static auto next = real<ssize_t (*)(int, const struct iovec*, int)>("writev");
    if (const int e = write_fault(fd)) {
        errno = e;
        return -1;
    }
    return next(fd, iov, count);
}

ssize_t read(int fd, void* buf, size_t n) {
    static auto next = real<ssize_t (*)(int, void*, size_t)>("read");
    if (const int e = read_fault(fd)) {
        errno = e;
        return -1;
    }
    return next(fd, buf, n);
}

ssize_t pread(int fd, void* buf, size_t n, off_t off) {
    static auto next = real<ssize_t (*)(int, void*, size_t, off_t)>("pread");
    if (const int e = read_fault(fd)) {
        errno = e;
        return -1;
    }
    return next(fd, buf, n, off);
}

ssize_t pread64(int fd, void* buf, size_t n, off64_t off) {
    static auto next = real<ssize_t (*)(int, void*, size_t, off64_t)>("pread64");
    if (const int e = read_fault(fd)) {
        errno = e;
        return -1;
    }
    return next(fd, buf, n, off);
}

int fsync(int fd) {
    static auto next = real<int (*)(int)>("fsync");
    if (const int e = sync_fault(fd)) {
        errno = e;
        return -1;
    }
    return next(fd);
}

int fdatasync(int fd) {
    static auto next = real<int (*)(int)>("fdatasync");
    if (const int e = sync_fault(fd)) {
        errno = e;
        return -1;
    }
    return next(fd);
}

}  // extern "C"
