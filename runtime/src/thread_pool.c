/*===- thread_pool.c - Runs a kernel's workgroups on a session's threads ---===*
 *
 * One job at a time: the caller publishes (fn, args, wg_count) under the
 * mutex and bumps `generation` (release); every worker sees it, claims
 * workgroup ids from an atomic counter until none are left, and reports back
 * by decrementing `busy` (release). The caller claims ids too, then waits for
 * `busy` to reach 0 (acquire), so that the kernel's writes are visible to it
 * and to the next step.
 *
 * Waiting spins first (about 100-200 us of pause instructions), then sleeps
 * on a condition variable: a model runs tens of kernels a millisecond apart,
 * and waking a sleeping thread (a futex, on a virtual machine an interrupt to
 * an idle vCPU) took tens of microseconds per kernel, more than some kernels
 * run; MobileNetV2 at 2 threads needed ~100 runs to reach its steady speed.
 *===----------------------------------------------------------------------===*/
#include "thread_pool.h"

#include "status.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Pause instructions a waiting thread spins before it sleeps. */
#define ANVIL_SPIN_ITERATIONS 4096

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

struct anvil_thread_pool {
  pthread_mutex_t mutex;
  pthread_cond_t work_cv; /* workers wait here for a new generation */
  pthread_cond_t done_cv; /* the caller waits here for `busy` to drop to 0 */
  atomic_uint_fast64_t generation;
  atomic_int shutdown;
  atomic_int busy; /* workers still working on the current generation */
  anvil_kernel_fn fn;
  void **args;
  int64_t wg_count;
  atomic_int_fast64_t next_wg;
  int num_workers;
  pthread_t *workers;
};

static void claim_workgroups(anvil_thread_pool_t *pool, anvil_kernel_fn fn,
                             void **args, int64_t wg_count) {
  for (;;) {
    int64_t id =
        atomic_fetch_add_explicit(&pool->next_wg, 1, memory_order_relaxed);
    if (id >= wg_count)
      return;
    fn(args, id, wg_count);
  }
}

/* Returns once the pool has a generation after `seen` or shuts down,
   spinning for it first and then sleeping. */
static void wait_for_work(anvil_thread_pool_t *pool, uint64_t seen) {
  for (int i = 0; i < ANVIL_SPIN_ITERATIONS; ++i) {
    if (atomic_load_explicit(&pool->generation, memory_order_acquire) != seen ||
        atomic_load_explicit(&pool->shutdown, memory_order_acquire))
      return;
    cpu_relax();
  }
  pthread_mutex_lock(&pool->mutex);
  while (!atomic_load_explicit(&pool->shutdown, memory_order_acquire) &&
         atomic_load_explicit(&pool->generation, memory_order_acquire) == seen)
    pthread_cond_wait(&pool->work_cv, &pool->mutex);
  pthread_mutex_unlock(&pool->mutex);
}

static void *worker_main(void *arg) {
  anvil_thread_pool_t *pool = arg;
  uint64_t seen = 0;
  for (;;) {
    wait_for_work(pool, seen);
    if (atomic_load_explicit(&pool->shutdown, memory_order_acquire))
      break;
    seen = atomic_load_explicit(&pool->generation, memory_order_acquire);
    anvil_kernel_fn fn = pool->fn;
    void **args = pool->args;
    int64_t wg_count = pool->wg_count;
    claim_workgroups(pool, fn, args, wg_count);
    if (atomic_fetch_sub_explicit(&pool->busy, 1, memory_order_acq_rel) == 1) {
      /* The caller may be asleep: signal under the mutex, which it holds
         from its last look at `busy` until it waits. */
      pthread_mutex_lock(&pool->mutex);
      pthread_cond_signal(&pool->done_cv);
      pthread_mutex_unlock(&pool->mutex);
    }
  }
  return NULL;
}

anvil_status_t anvil_thread_pool_create(int32_t num_threads,
                                        anvil_thread_pool_t **out_pool) {
  anvil_thread_pool_t *pool = calloc(1, sizeof *pool);
  if (!pool)
    return anvil_make_status(ANVIL_STATUS_RESOURCE_EXHAUSTED,
                             "out of memory creating a thread pool");
  pthread_mutex_init(&pool->mutex, NULL);
  pthread_cond_init(&pool->work_cv, NULL);
  pthread_cond_init(&pool->done_cv, NULL);
  atomic_init(&pool->next_wg, 0);
  atomic_init(&pool->generation, 0);
  atomic_init(&pool->shutdown, 0);
  atomic_init(&pool->busy, 0);
  int want = num_threads > 1 ? num_threads - 1 : 0;
  pool->workers = calloc((size_t)want + 1, sizeof *pool->workers);
  if (!pool->workers) {
    anvil_thread_pool_destroy(pool);
    return anvil_make_status(ANVIL_STATUS_RESOURCE_EXHAUSTED,
                             "out of memory creating a thread pool");
  }
  for (int i = 0; i < want; ++i) {
    int err = pthread_create(&pool->workers[i], NULL, worker_main, pool);
    if (err) {
      anvil_thread_pool_destroy(pool);
      return anvil_make_status(ANVIL_STATUS_RESOURCE_EXHAUSTED,
                               "cannot start thread %d of %d: %s", i + 2,
                               num_threads, strerror(err));
    }
    pool->num_workers = i + 1;
  }
  *out_pool = pool;
  return NULL;
}

void anvil_thread_pool_destroy(anvil_thread_pool_t *pool) {
  if (!pool)
    return;
  pthread_mutex_lock(&pool->mutex);
  atomic_store_explicit(&pool->shutdown, 1, memory_order_release);
  pthread_cond_broadcast(&pool->work_cv);
  pthread_mutex_unlock(&pool->mutex);
  for (int i = 0; i < pool->num_workers; ++i)
    pthread_join(pool->workers[i], NULL);
  free(pool->workers);
  pthread_cond_destroy(&pool->done_cv);
  pthread_cond_destroy(&pool->work_cv);
  pthread_mutex_destroy(&pool->mutex);
  free(pool);
}

void anvil_thread_pool_run(anvil_thread_pool_t *pool, anvil_kernel_fn fn,
                           void **args, int64_t wg_count) {
  if (pool->num_workers == 0 || wg_count <= 1) {
    for (int64_t id = 0; id < wg_count; ++id)
      fn(args, id, wg_count);
    return;
  }
  pthread_mutex_lock(&pool->mutex);
  pool->fn = fn;
  pool->args = args;
  pool->wg_count = wg_count;
  atomic_store_explicit(&pool->next_wg, 0, memory_order_relaxed);
  atomic_store_explicit(&pool->busy, pool->num_workers, memory_order_relaxed);
  /* Publishes the job to spinning workers; sleeping ones wake on the
     broadcast. */
  atomic_fetch_add_explicit(&pool->generation, 1, memory_order_release);
  pthread_cond_broadcast(&pool->work_cv);
  pthread_mutex_unlock(&pool->mutex);

  claim_workgroups(pool, fn, args, wg_count);

  for (int i = 0; i < ANVIL_SPIN_ITERATIONS; ++i) {
    if (atomic_load_explicit(&pool->busy, memory_order_acquire) == 0)
      return;
    cpu_relax();
  }
  pthread_mutex_lock(&pool->mutex);
  while (atomic_load_explicit(&pool->busy, memory_order_acquire) > 0)
    pthread_cond_wait(&pool->done_cv, &pool->mutex);
  pthread_mutex_unlock(&pool->mutex);
}
