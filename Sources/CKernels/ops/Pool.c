// A spinning worker pool for the runner's parallel loops (see include/CRunnerOps.h).
#include "CRunnerOps.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sched.h>
#include <stdlib.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define POOL_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define POOL_PAUSE() __asm__ __volatile__("yield")
#else
#define POOL_PAUSE() ((void)0)
#endif

/// A waiting thread first spins (pause) this many times, then yields its core this many times (so an
/// oversubscribed machine still makes progress), then sleeps: together about a millisecond, longer than
/// the gaps between the matmuls of one token.
#define POOL_SPINS 20000
#define POOL_YIELDS 2000

static struct {
    pthread_mutex_t lock;          // guards sleeping threads and the thread list
    pthread_cond_t wake;
    long started;                  // pool threads created
    /// (job number << 16) | workers: one atomic word, so that a thread reads the job number and whether it
    /// takes part in that job together. Pool thread i (1 ...) takes part when i < workers.
    _Atomic unsigned long job;
    rops_piece_fn fn;
    void *ctx;
    long pieces;
    _Atomic long next;             // next piece to hand out
    _Atomic long checkedOut;       // taking part threads done with this job
} pool = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER };

static pthread_mutex_t callers = PTHREAD_MUTEX_INITIALIZER;   // one job at a time

static void take_pieces(void) {
    for (;;) {
        const long p = atomic_fetch_add_explicit(&pool.next, 1, memory_order_relaxed);
        if (p >= pool.pieces) return;
        pool.fn(pool.ctx, p);
    }
}

static void pause_or_yield(long *waited) {
    if (++*waited < POOL_SPINS) POOL_PAUSE();
    else sched_yield();
}

struct start { long index; unsigned long job; };

static void *pool_thread(void *arg) {
    const struct start st = *(struct start *)arg;
    free(arg);
    unsigned long seen = st.job >> 16;     // the job running when the thread was made is not its own
    for (;;) {
        unsigned long word;
        long waited = 0;
        while (((word = atomic_load_explicit(&pool.job, memory_order_acquire)) >> 16) == seen) {
            if (waited < POOL_SPINS + POOL_YIELDS) { pause_or_yield(&waited); continue; }
            pthread_mutex_lock(&pool.lock);
            while ((atomic_load_explicit(&pool.job, memory_order_acquire) >> 16) == seen)
                pthread_cond_wait(&pool.wake, &pool.lock);
            pthread_mutex_unlock(&pool.lock);
        }
        seen = word >> 16;
        if (st.index < (long)(word & 0xFFFF)) {
            take_pieces();
            atomic_fetch_add_explicit(&pool.checkedOut, 1, memory_order_release);
        }
    }
    return NULL;
}

void rops_parallel(long workers, long pieces, rops_piece_fn fn, void *ctx) {
    if (workers > 0xFFFF) workers = 0xFFFF;
    if (workers <= 1 || pieces <= 1) {
        for (long p = 0; p < pieces; p++) fn(ctx, p);
        return;
    }
    pthread_mutex_lock(&callers);
    pthread_mutex_lock(&pool.lock);
    while (pool.started < workers - 1) {
        pthread_t t;
        pthread_attr_t attr;
        struct start *st = malloc(sizeof *st);
        if (!st) break;
        st->index = pool.started + 1;
        st->job = atomic_load_explicit(&pool.job, memory_order_acquire);
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        const int rc = pthread_create(&t, &attr, pool_thread, st);
        pthread_attr_destroy(&attr);
        if (rc != 0) { free(st); break; }
        pool.started++;
    }
    if (workers - 1 > pool.started) workers = pool.started + 1;   // threads that could not be made
    pthread_mutex_unlock(&pool.lock);
    if (workers <= 1) {
        pthread_mutex_unlock(&callers);
        for (long p = 0; p < pieces; p++) fn(ctx, p);
        return;
    }
    pool.fn = fn;
    pool.ctx = ctx;
    pool.pieces = pieces;
    atomic_store_explicit(&pool.next, 0, memory_order_relaxed);
    atomic_store_explicit(&pool.checkedOut, 0, memory_order_relaxed);
    pthread_mutex_lock(&pool.lock);
    const unsigned long number = (atomic_load_explicit(&pool.job, memory_order_relaxed) >> 16) + 1;
    atomic_store_explicit(&pool.job, (number << 16) | (unsigned long)workers, memory_order_release);
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.lock);
    take_pieces();
    long waited = 0;
    while (atomic_load_explicit(&pool.checkedOut, memory_order_acquire) < workers - 1) pause_or_yield(&waited);
    pthread_mutex_unlock(&callers);
}
