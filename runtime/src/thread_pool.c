/*===- thread_pool.c - Runs a kernel's workgroups on a session's threads ---===*
 *
 * One job at a time: the caller publishes (fn, args, wg_count) and a ticket
 * holding the job's generation and the number of workgroups left to claim,
 * then bumps `generation` (release) to wake the workers. Every thread claims
 * workgroups by decrementing the ticket while its generation is the job's
 * (compare-and-swap), runs each, and counts it off `remaining`; the caller
 * claims too, then waits for `remaining` to reach 0 (acquire), so that the
 * kernel's writes are visible to it and to the next step. The caller waits
 * for workgroups, not for workers: a worker that the OS has not scheduled
 * (another process holds its core) claims nothing of a job that is over, and
 * a late claim of a finished or newer job fails on the ticket's generation.
 * (Waiting for every worker to check in cost up to a scheduler time slice
 * per kernel: a small model ran 9x slower at 2 threads with one core busy.)
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
  pthread_cond_t done_cv; /* the caller waits here for `remaining` to be 0 */
  atomic_uint_fast64_t generation;
  atomic_int shutdown;
  /* The job's generation (high 32 bits) and its workgroups not yet claimed
     (low 32 bits). */
  atomic_uint_fast64_t ticket;
  atomic_int_fast64_t remaining; /* workgroups not yet run */
  /* Set (under the mutex) while the caller may sleep on done_cv: the worker
     that runs a job's last workgroup signals only then. */
  atomic_int caller_sleeping;
  _Atomic(anvil_kernel_fn) fn;
  _Atomic(void **) args;
  atomic_int_fast64_t wg_count;
  int num_workers;
  pthread_t *workers;
};

/* Runs workgroups of job `job` (a generation's low 32 bits) until none is
   left to claim or the pool has moved on to another job. `worker`: whether
   the calling thread is one of the pool's (not the job's caller). */
static void claim_workgroups(anvil_thread_pool_t *pool, uint32_t job,
                             int worker) {
  for (;;) {
    uint64_t t = atomic_load_explicit(&pool->ticket, memory_order_acquire);
    for (;;) {
      if ((uint32_t)(t >> 32) != job || (uint32_t)t == 0)
        return;
      if (atomic_compare_exchange_weak_explicit(&pool->ticket, &t, t - 1,
                                                memory_order_acq_rel,
                                                memory_order_acquire))
        break;
    }
    /* The job cannot end (nor its fields change) before this workgroup is
       counted off `remaining`. */
    int64_t count = atomic_load_explicit(&pool->wg_count, memory_order_relaxed);
    anvil_kernel_fn fn = atomic_load_explicit(&pool->fn, memory_order_relaxed);
    void **args = atomic_load_explicit(&pool->args, memory_order_relaxed);
    fn(args, count - (int64_t)(uint32_t)t, count);
    /* The last workgroup done by a worker wakes the caller if it sleeps
       (the caller that ran it is not waiting). Sequentially consistent with
       the caller's store of caller_sleeping and its look at `remaining`:
       either this sees the flag, or the caller sees 0 and does not sleep.
       Signalled under the mutex, which the caller holds from its last look
       at `remaining` until it waits. */
    if (atomic_fetch_sub_explicit(&pool->remaining, 1, memory_order_seq_cst) ==
            1 &&
        worker &&
        atomic_load_explicit(&pool->caller_sleeping, memory_order_seq_cst)) {
      pthread_mutex_lock(&pool->mutex);
      pthread_cond_signal(&pool->done_cv);
      pthread_mutex_unlock(&pool->mutex);
    }
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
    claim_workgroups(pool, (uint32_t)seen, 1);
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
  atomic_init(&pool->generation, 0);
  atomic_init(&pool->shutdown, 0);
  atomic_init(&pool->ticket, 0);
  atomic_init(&pool->remaining, 0);
  atomic_init(&pool->caller_sleeping, 0);
  atomic_init(&pool->fn, NULL);
  atomic_init(&pool->args, NULL);
  atomic_init(&pool->wg_count, 0);
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
  if (pool->num_workers == 0 || wg_count <= 1 || wg_count > UINT32_MAX) {
    for (int64_t id = 0; id < wg_count; ++id)
      fn(args, id, wg_count);
    return;
  }
  pthread_mutex_lock(&pool->mutex);
  uint64_t generation =
      atomic_load_explicit(&pool->generation, memory_order_relaxed) + 1;
  atomic_store_explicit(&pool->fn, fn, memory_order_relaxed);
  atomic_store_explicit(&pool->args, args, memory_order_relaxed);
  atomic_store_explicit(&pool->wg_count, wg_count, memory_order_relaxed);
  atomic_store_explicit(&pool->remaining, wg_count, memory_order_relaxed);
  /* Publishes the job to claimers (the ticket), then to spinning workers
     (the generation); sleeping ones wake on the broadcast. */
  atomic_store_explicit(&pool->ticket,
                        ((uint64_t)(uint32_t)generation << 32) |
                            (uint64_t)wg_count,
                        memory_order_release);
  atomic_store_explicit(&pool->generation, generation, memory_order_release);
  pthread_cond_broadcast(&pool->work_cv);
  pthread_mutex_unlock(&pool->mutex);

  claim_workgroups(pool, (uint32_t)generation, 0);

  for (int i = 0; i < ANVIL_SPIN_ITERATIONS; ++i) {
    if (atomic_load_explicit(&pool->remaining, memory_order_acquire) == 0)
      return;
    cpu_relax();
  }
  pthread_mutex_lock(&pool->mutex);
  atomic_store_explicit(&pool->caller_sleeping, 1, memory_order_seq_cst);
  while (atomic_load_explicit(&pool->remaining, memory_order_seq_cst) > 0)
    pthread_cond_wait(&pool->done_cv, &pool->mutex);
  atomic_store_explicit(&pool->caller_sleeping, 0, memory_order_relaxed);
  pthread_mutex_unlock(&pool->mutex);
}
