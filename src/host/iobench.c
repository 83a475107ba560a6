/* Read-speed sampling (see wld/iobench.h). */
#include "wld/iobench.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wld/util.h"

#define CHUNK (1024u * 1024u) /* a multiple of every block size O_DIRECT asks for */

/* Opens without blocking on a FIFO; only a regular file is measured. */
static int open_regular(const char *real, int flags, uint64_t *size)
{
    int fd = open(real, O_RDONLY | O_CLOEXEC | O_NONBLOCK | flags);
    struct stat st;
    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -EINVAL;
    }
    *size = (uint64_t) st.st_size;
    return fd;
}

static int bench_read(int fd, uint64_t off, uint64_t len, double deadline, struct wld_iobench *b)
{
    void *buf = NULL;
    if (posix_memalign(&buf, 4096, CHUNK) != 0)
        return -ENOMEM;
    double t0 = wld_now_ms();
    uint64_t done = 0;
    int r = 0;
    while (done < len) {
        ssize_t n = pread(fd, buf, CHUNK, (off_t) (off + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            r = -errno;
            break;
        }
        if (n == 0)
            break;
        done += (uint64_t) n;
        if (wld_now_ms() > deadline) {
            b->cut_short = true;
            break;
        }
    }
    b->read_ms = wld_now_ms() - t0;
    b->read_bytes = done;
    free(buf);
    return r;
}

static int bench_mmap(int fd, uint64_t off, uint64_t len, double deadline, struct wld_iobench *b)
{
    long page = sysconf(_SC_PAGESIZE);
    if (len == 0)
        return 0;
    (void) posix_fadvise(fd, (off_t) off, (off_t) len, POSIX_FADV_DONTNEED);
    double t0 = wld_now_ms();
    const volatile unsigned char *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, (off_t) off);
    if (p == MAP_FAILED)
        return -errno;
    unsigned sum = 0;
    uint64_t done = 0;
    for (; done < len; done += (uint64_t) page) {
        sum += p[done]; /* one byte per page faults the page in */
        if ((done / (uint64_t) page) % 256 == 255 && wld_now_ms() > deadline) {
            b->cut_short = true;
            break;
        }
    }
    (void) sum;
    b->mmap_ms = wld_now_ms() - t0;
    b->mmap_bytes = done < len ? done : len;
    munmap((void *) p, len);
    return 0;
}

int wld_iobench_file(const struct wld_host *h,
                     const char *path,
                     uint64_t sample,
                     double deadline_ms,
                     struct wld_iobench *ret)
{
    struct wld_iobench b = { .cache = "direct" };
    char *real = NULL;
    uint64_t size = 0;
    int r = wld_host_real_path(h, path, &real);
    if (r < 0)
        return r;
    int fd = open_regular(real, O_DIRECT, &size);
    if (fd == -EINVAL || fd == -EOPNOTSUPP) { /* 9p and tmpfs may refuse O_DIRECT */
        fd = open_regular(real, 0, &size);
        b.cache = "dropped";
    }
    if (fd < 0) {
        free(real);
        return fd;
    }
    /* read() the first half's sample and map a sample of the second half, so neither
     * pass finds pages the other brought in */
    double deadline = wld_now_ms() + deadline_ms;
    uint64_t half = size / 2, len = sample < half ? sample : half;
    uint64_t moff = half & ~(uint64_t) (sysconf(_SC_PAGESIZE) - 1);
    (void) posix_fadvise(fd, 0, (off_t) len, POSIX_FADV_DONTNEED);
    r = bench_read(fd, 0, len, deadline, &b);
    close(fd);
    if (r == -EINVAL && strcmp(b.cache, "direct") == 0) {
        /* O_DIRECT accepted at open but refused at read (some FUSE and 9p versions) */
        fd = open_regular(real, 0, &size);
        b = (struct wld_iobench){ .cache = "dropped" };
        if (fd >= 0) {
            (void) posix_fadvise(fd, 0, (off_t) len, POSIX_FADV_DONTNEED);
            r = bench_read(fd, 0, len, deadline, &b);
            close(fd);
        }
    }
    if (r == 0 && !b.cut_short) {
        fd = open_regular(real, 0, &size);
        r = fd < 0 ? fd : bench_mmap(fd, moff, size - moff < len ? size - moff : len, deadline, &b);
        if (fd >= 0)
            close(fd);
    }
    free(real);
    if (r < 0)
        return r;
    *ret = b;
    return 0;
}
