/*===- thread_pool.h - Runs a kernel's workgroups on a session's threads
 * ---===*/
#ifndef ANVIL_RUNTIME_THREAD_POOL_H
#define ANVIL_RUNTIME_THREAD_POOL_H

#include "anvil/runtime.h"

#include <stdint.h>

/* The kernel ABI of anvil/plan_format.h. */
typedef void (*anvil_kernel_fn)(void **args, int64_t wg_id, int64_t wg_count);

/* num_threads - 1 worker threads; the thread that calls
   anvil_thread_pool_run is the last one. Used by one thread at a time. */
typedef struct anvil_thread_pool anvil_thread_pool_t;

anvil_status_t anvil_thread_pool_create(int32_t num_threads,
                                        anvil_thread_pool_t **out_pool);
void anvil_thread_pool_destroy(anvil_thread_pool_t *pool);

/* Calls fn(args, id, wg_count) for every id in [0, wg_count) on the pool's
   threads and the calling thread, and returns when all calls have. */
void anvil_thread_pool_run(anvil_thread_pool_t *pool, anvil_kernel_fn fn,
                           void **args, int64_t wg_count);

#endif
