/*===- session.c - Sessions: arena layout, binding and running steps -------===*
 *
 * A run checks the inputs, and, only when their shapes differ from the last
 * run's, recomputes every buffer's shape and the arena layout. It then binds
 * each buffer's memref descriptor to memory (caller inputs and outputs, the
 * mapped weights, the arena) and runs the steps in order. All errors are
 * found before the first step runs.
 *===----------------------------------------------------------------------===*/
#include "arena.h"
#include "model.h"
#include "status.h"
#include "thread_pool.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ALIGNMENT ANVIL_ARENA_ALIGNMENT
#define MAX_THREADS 1024
/* int64 { allocated, aligned, offset, sizes[rank], strides[rank] } */
#define DESC_WORDS (3 + 2 * ANVIL_PLAN_MAX_RANK)

struct anvil_session {
  anvil_model_t *model;
  int32_t num_threads;
  anvil_thread_pool_t *pool;
  atomic_flag busy;

  /* Shape-dependent state, valid when have_shapes. */
  int have_shapes;
  int64_t *input_dims; /* num_inputs x ANVIL_MAX_RANK: the shapes it is for */
  int64_t *values;     /* num_exprs */
  anvil_buffer_shape_t *shapes; /* num_buffers */
  uint64_t *arena_offsets;      /* num_buffers; TEMP buffers only */
  /* The arena of the last shapes laid out, valid when have_layout; kept
     when a later run fails, for anvil_session_memory_info. */
  int have_layout;
  anvil_arena_layout_t layout;

  uint8_t *arena;
  uint64_t arena_capacity;

  uint8_t **roots; /* num_buffers: memory of each non-VIEW buffer this run */
  int64_t *descs;  /* num_buffers x DESC_WORDS */
  void **args;     /* plan.num_args: pointers into descs, per step */

  /* Profiling (anvil_session_set_profiling): per step, runs and ns. */
  int profiling;
  struct step_time {
    uint64_t runs, ns;
  } * step_times; /* num_steps; NULL until profiling is first on */
};

/* Stands in for the data of empty tensors, so kernels never see NULL. */
static _Alignas(ALIGNMENT) uint8_t empty_data[ALIGNMENT];

static anvil_status_t null_arg(const char *fn, const char *what) {
  return anvil_make_status(ANVIL_STATUS_INVALID_ARGUMENT, "%s: %s is NULL", fn,
                           what);
}

/*===--- Creation ---------------------------------------------------------===*/

void anvil_session_options_init(anvil_session_options_t *options) {
  if (options)
    memset(options, 0, sizeof *options);
}

void anvil_session_release(anvil_session_t *s) {
  if (!s)
    return;
  anvil_thread_pool_destroy(s->pool);
  free(s->input_dims);
  free(s->values);
  free(s->shapes);
  free(s->arena_offsets);
  free(s->arena);
  free(s->roots);
  free(s->descs);
  free(s->args);
  free(s->step_times);
  anvil_model_release(s->model);
  free(s);
}

anvil_status_t anvil_session_create(anvil_model_t *model,
                                    const anvil_session_options_t *options,
                                    anvil_session_t **out_session) {
  if (!model)
    return null_arg(__func__, "model");
  if (!out_session)
    return null_arg(__func__, "out_session");
  int32_t threads = options ? options->num_threads : 0;
  if (threads < 0 || threads > MAX_THREADS)
    return anvil_make_status(ANVIL_STATUS_INVALID_ARGUMENT,
                             "num_threads is %d; it must be between 1 and %d, "
                             "or 0 for one per core",
                             threads, MAX_THREADS);
  if (threads == 0) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    threads = cores < 1 ? 1 : cores > MAX_THREADS ? MAX_THREADS : (int)cores;
  }
  const anvil_plan_t *p = &model->plan;
  anvil_session_t *s = calloc(1, sizeof *s);
  if (!s)
    return anvil_make_status(ANVIL_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  anvil_model_retain(model);
  s->model = model;
  s->num_threads = threads;
  atomic_flag_clear(&s->busy);
  s->input_dims =
      calloc((size_t)p->num_inputs * ANVIL_MAX_RANK + 1, sizeof(int64_t));
  s->values = calloc(p->num_exprs + 1, sizeof *s->values);
  s->shapes = calloc(p->num_buffers + 1, sizeof *s->shapes);
  s->arena_offsets = calloc(p->num_buffers + 1, sizeof *s->arena_offsets);
  s->roots = calloc(p->num_buffers + 1, sizeof *s->roots);
  s->descs = calloc((size_t)p->num_buffers * DESC_WORDS + 1, sizeof(int64_t));
  s->args = calloc(p->num_args + 1, sizeof *s->args);
  if (!s->input_dims || !s->values || !s->shapes || !s->arena_offsets ||
      !s->roots || !s->descs || !s->args) {
    anvil_session_release(s);
    return anvil_make_status(ANVIL_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  }
  /* A step's argument list never changes: point it at the descriptors once. */
  for (uint32_t a = 0; a < p->num_args; ++a)
    s->args[a] = &s->descs[(size_t)p->args[a] * DESC_WORDS];
  anvil_status_t st = anvil_thread_pool_create(threads, &s->pool);
  if (st) {
    anvil_session_release(s);
    return st;
  }
  *out_session = s;
  return NULL;
}

anvil_status_t anvil_session_num_threads(const anvil_session_t *session,
                                         int32_t *out_num_threads) {
  if (!session)
    return null_arg(__func__, "session");
  if (!out_num_threads)
    return null_arg(__func__, "out_num_threads");
  *out_num_threads = session->num_threads;
  return NULL;
}

/*===--- Arena ------------------------------------------------------------===*/

/* Places the TEMP buffers for the current shapes (see arena.c) and grows the
   arena if they need more room than the last shapes did. */
static anvil_status_t layout_arena(anvil_session_t *s) {
  anvil_arena_layout_t layout;
  ANVIL_RETURN_IF_ERROR(anvil_arena_plan_buffers(&s->model->plan, s->shapes,
                                                 s->arena_offsets, &layout));
  uint64_t needed = layout.size;
  if (needed > SIZE_MAX)
    return anvil_make_status(ANVIL_STATUS_OUT_OF_RANGE,
                             "intermediate tensors are too large for these "
                             "input shapes");
  if (needed > s->arena_capacity) {
    free(s->arena);
    s->arena_capacity = 0;
    s->arena = aligned_alloc(ALIGNMENT, (size_t)needed);
    if (!s->arena)
      return anvil_make_status(ANVIL_STATUS_RESOURCE_EXHAUSTED,
                               "cannot allocate %llu bytes for intermediate "
                               "tensors",
                               (unsigned long long)needed);
    s->arena_capacity = needed;
  }
  s->layout = layout;
  s->have_layout = 1;
  return NULL;
}

/* Recomputes shapes and the arena unless the input shapes are those of the
   last successful run. */
static anvil_status_t prepare_shapes(anvil_session_t *s,
                                     const anvil_tensor_t *inputs) {
  const anvil_plan_t *p = &s->model->plan;
  int same = s->have_shapes;
  for (uint32_t i = 0; i < p->num_inputs && same; ++i)
    same = memcmp(&s->input_dims[i * ANVIL_MAX_RANK], inputs[i].dims,
                  sizeof(int64_t) * (size_t)inputs[i].rank) == 0;
  if (same)
    return NULL;
  s->have_shapes = 0;
  ANVIL_RETURN_IF_ERROR(
      anvil_compute_shapes(s->model, inputs, s->values, s->shapes));
  ANVIL_RETURN_IF_ERROR(layout_arena(s));
  for (uint32_t i = 0; i < p->num_inputs; ++i)
    memcpy(&s->input_dims[i * ANVIL_MAX_RANK], inputs[i].dims,
           sizeof(int64_t) * (size_t)inputs[i].rank);
  s->have_shapes = 1;
  return NULL;
}

anvil_status_t anvil_session_memory_info(const anvil_session_t *session,
                                         anvil_memory_info_t *out_info) {
  if (!session)
    return null_arg(__func__, "session");
  if (!out_info)
    return null_arg(__func__, "out_info");
  if (!session->have_layout)
    return anvil_make_status(ANVIL_STATUS_FAILED_PRECONDITION,
                             "%s: the session has not run yet (the arena "
                             "depends on the input shapes)",
                             __func__);
  memset(out_info, 0, sizeof *out_info);
  out_info->arena_bytes = session->layout.size;
  out_info->arena_lower_bound_bytes = session->layout.lower_bound;
  out_info->arena_capacity_bytes = session->arena_capacity;
  out_info->weights_bytes = session->model->weights_size;
  out_info->placement = anvil_arena_heuristic_name(session->layout.heuristic);
  return NULL;
}

/*===--- Outputs ----------------------------------------------------------===*/

static void free_outputs(anvil_tensor_t *outputs, size_t n) {
  for (size_t o = 0; o < n; ++o) {
    free(outputs[o].data);
    outputs[o].data = NULL;
  }
}

/* Allocates the outputs (alloc) or checks the caller's buffers. */
static anvil_status_t prepare_outputs(anvil_session_t *s,
                                      anvil_tensor_t *outputs, int alloc) {
  const anvil_plan_t *p = &s->model->plan;
  for (uint32_t o = 0; o < p->num_outputs; ++o) {
    uint32_t b = p->outputs[o].buffer;
    uint64_t bytes = s->shapes[b].bytes;
    if (alloc) {
      uint64_t rounded = (bytes + ALIGNMENT - 1) & ~(uint64_t)(ALIGNMENT - 1);
      outputs[o].data =
          rounded <= SIZE_MAX
              ? aligned_alloc(ALIGNMENT, rounded ? (size_t)rounded : ALIGNMENT)
              : NULL;
      if (!outputs[o].data) {
        free_outputs(outputs, o);
        return anvil_make_status(ANVIL_STATUS_RESOURCE_EXHAUSTED,
                                 "output '%s': cannot allocate %llu bytes",
                                 p->outputs[o].name, (unsigned long long)bytes);
      }
      outputs[o].byte_size = (size_t)bytes;
      continue;
    }
    char dims[160];
    anvil_format_dims(dims, sizeof dims, s->shapes[b].dims, p->buffers[b].rank);
    if (!outputs[o].data && bytes > 0)
      return anvil_make_status(ANVIL_STATUS_INVALID_ARGUMENT,
                               "output '%s': data is NULL (shape %s needs %llu "
                               "bytes)",
                               p->outputs[o].name, dims,
                               (unsigned long long)bytes);
    if (outputs[o].byte_size < bytes)
      return anvil_make_status(
          ANVIL_STATUS_INVALID_ARGUMENT,
          "output '%s': the buffer has %zu bytes, but shape %s (%s) needs %llu",
          p->outputs[o].name, outputs[o].byte_size, dims,
          anvil_dtype_name((anvil_dtype_t)p->buffers[b].dtype),
          (unsigned long long)bytes);
  }
  return NULL;
}

/*===--- Binding and running ----------------------------------------------===*/

static void bind(anvil_session_t *s, const anvil_tensor_t *inputs,
                 const anvil_tensor_t *outputs) {
  const anvil_model_t *m = s->model;
  const anvil_plan_t *p = &m->plan;
  for (uint32_t b = 0; b < p->num_buffers; ++b) {
    const anvil_plan_buffer_t *buf = &p->buffers[b];
    uint8_t *mem = NULL;
    switch (buf->kind) {
    case ANVIL_BUFFER_INPUT:
      /* Kernels only read inputs; the descriptor just has no const. */
      mem = (uint8_t *)inputs[buf->ref].data;
      break;
    case ANVIL_BUFFER_OUTPUT:
      mem = outputs[buf->ref].data;
      break;
    case ANVIL_BUFFER_CONSTANT:
      mem = m->weights + buf->offset;
      break;
    case ANVIL_BUFFER_TEMP:
      mem = s->arena ? s->arena + s->arena_offsets[b] : NULL;
      break;
    case ANVIL_BUFFER_VIEW:
      mem = s->roots[buf->root];
      break;
    }
    if (!mem)
      mem = empty_data;
    s->roots[b] = mem;
    const anvil_buffer_shape_t *sh = &s->shapes[b];
    int64_t *desc = &s->descs[(size_t)b * DESC_WORDS];
    desc[0] = desc[1] = (int64_t)(intptr_t)mem;
    desc[2] = sh->offset;
    memcpy(&desc[3], sh->dims, sizeof(int64_t) * buf->rank);
    memcpy(&desc[3 + buf->rank], sh->strides, sizeof(int64_t) * buf->rank);
  }
}

static int is_contiguous(const anvil_buffer_shape_t *sh, int rank) {
  int64_t expected = 1;
  for (int d = rank - 1; d >= 0; --d) {
    if (sh->dims[d] != 1 && sh->strides[d] != expected)
      return 0;
    expected *= sh->dims[d];
  }
  return 1;
}

/* Steps one multi-index of a strided walk forward, keeping `offset` (in
   elements) in sync. */
static void advance(int64_t *index, int64_t *offset, const int64_t *dims,
                    const int64_t *strides, int rank) {
  for (int d = rank - 1; d >= 0; --d) {
    *offset += strides[d];
    if (++index[d] < dims[d])
      return;
    *offset -= strides[d] * dims[d];
    index[d] = 0;
  }
}

/* COPY: a memmove when both sides are contiguous, else element by element
   (a VIEW may be strided). */
static void run_copy(anvil_session_t *s, const anvil_plan_step_t *step) {
  const anvil_plan_t *p = &s->model->plan;
  const anvil_plan_buffer_t *sb = &p->buffers[step->src];
  const anvil_plan_buffer_t *db = &p->buffers[step->dst];
  const anvil_buffer_shape_t *ss = &s->shapes[step->src];
  const anvil_buffer_shape_t *ds = &s->shapes[step->dst];
  if (ss->elems == 0)
    return;
  size_t esize = anvil_dtype_size((anvil_dtype_t)sb->dtype);
  const uint8_t *src = s->roots[step->src] + ss->offset * (int64_t)esize;
  uint8_t *dst = s->roots[step->dst] + ds->offset * (int64_t)esize;
  if (is_contiguous(ss, sb->rank) && is_contiguous(ds, db->rank)) {
    memmove(dst, src, (size_t)ss->bytes);
    return;
  }
  int64_t si[ANVIL_MAX_RANK] = {0}, di[ANVIL_MAX_RANK] = {0};
  int64_t so = 0, dO = 0;
  for (uint64_t n = 0; n < ss->elems; ++n) {
    memcpy(dst + dO * (int64_t)esize, src + so * (int64_t)esize, esize);
    advance(si, &so, ss->dims, ss->strides, sb->rank);
    advance(di, &dO, ds->dims, ds->strides, db->rank);
  }
}

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void run_steps(anvil_session_t *s) {
  const anvil_model_t *m = s->model;
  const anvil_plan_t *p = &m->plan;
  int profiling = s->profiling;
  for (uint32_t i = 0; i < p->num_steps; ++i) {
    const anvil_plan_step_t *step = &p->steps[i];
    uint64_t start = profiling ? now_ns() : 0;
    if (step->kind == ANVIL_STEP_COPY) {
      run_copy(s, step);
    } else {
      int64_t wg_count = 1;
      if (step->grid_kind == 1) {
        int64_t extent = anvil_plan_size(step->grid_extent, s->values);
        if (extent == 0)
          continue;
        wg_count = extent < s->num_threads ? extent : s->num_threads;
      }
      anvil_thread_pool_run(s->pool, m->kernels[step->kernel],
                            &s->args[step->first_arg], wg_count);
    }
    if (profiling) {
      s->step_times[i].ns += now_ns() - start;
      s->step_times[i].runs += 1;
    }
  }
}

static anvil_status_t run(anvil_session_t *s, const anvil_tensor_t *inputs,
                          size_t num_inputs, anvil_tensor_t *outputs,
                          size_t num_outputs, int alloc) {
  const anvil_plan_t *p = &s->model->plan;
  if (num_outputs != p->num_outputs)
    return anvil_make_status(ANVIL_STATUS_INVALID_ARGUMENT,
                             "expected %u output%s, got %zu", p->num_outputs,
                             p->num_outputs == 1 ? "" : "s", num_outputs);
  ANVIL_RETURN_IF_ERROR(anvil_check_inputs(s->model, inputs, num_inputs, 1));
  ANVIL_RETURN_IF_ERROR(prepare_shapes(s, inputs));
  ANVIL_RETURN_IF_ERROR(prepare_outputs(s, outputs, alloc));
  bind(s, inputs, outputs);
  run_steps(s);
  for (uint32_t o = 0; o < p->num_outputs; ++o) {
    uint32_t b = p->outputs[o].buffer;
    outputs[o].dtype = (anvil_dtype_t)p->buffers[b].dtype;
    outputs[o].rank = p->buffers[b].rank;
    memset(outputs[o].dims, 0, sizeof outputs[o].dims);
    memcpy(outputs[o].dims, s->shapes[b].dims,
           sizeof(int64_t) * p->buffers[b].rank);
  }
  return NULL;
}

static anvil_status_t run_entry(anvil_session_t *s,
                                const anvil_tensor_t *inputs, size_t num_inputs,
                                anvil_tensor_t *outputs, size_t num_outputs,
                                int alloc, const char *fn) {
  if (!s)
    return null_arg(fn, "session");
  if (!outputs && num_outputs > 0)
    return null_arg(fn, "outputs");
  if (alloc)
    for (size_t o = 0; o < num_outputs; ++o)
      outputs[o].data = NULL;
  /* A cheap guard against the documented misuse, which would otherwise
     corrupt the arena silently. */
  if (atomic_flag_test_and_set_explicit(&s->busy, memory_order_acquire))
    return anvil_make_status(ANVIL_STATUS_FAILED_PRECONDITION,
                             "%s: the session is already running on another "
                             "thread",
                             fn);
  anvil_status_t st = run(s, inputs, num_inputs, outputs, num_outputs, alloc);
  atomic_flag_clear_explicit(&s->busy, memory_order_release);
  return st;
}

anvil_status_t anvil_session_run(anvil_session_t *session,
                                 const anvil_tensor_t *inputs,
                                 size_t num_inputs, anvil_tensor_t *outputs,
                                 size_t num_outputs) {
  return run_entry(session, inputs, num_inputs, outputs, num_outputs, 0,
                   __func__);
}

anvil_status_t anvil_session_run_alloc(anvil_session_t *session,
                                       const anvil_tensor_t *inputs,
                                       size_t num_inputs,
                                       anvil_tensor_t *outputs,
                                       size_t num_outputs) {
  return run_entry(session, inputs, num_inputs, outputs, num_outputs, 1,
                   __func__);
}

void anvil_free(void *data) { free(data); }

/*===--- Profiling --------------------------------------------------------===*/

anvil_status_t anvil_session_set_profiling(anvil_session_t *s, int enable) {
  if (!s)
    return null_arg(__func__, "session");
  if (atomic_flag_test_and_set_explicit(&s->busy, memory_order_acquire))
    return anvil_make_status(ANVIL_STATUS_FAILED_PRECONDITION,
                             "%s: the session is running on another thread",
                             __func__);
  anvil_status_t st = NULL;
  if (enable) {
    size_t n = s->model->plan.num_steps + 1;
    if (!s->step_times)
      s->step_times = malloc(n * sizeof *s->step_times);
    if (s->step_times) {
      memset(s->step_times, 0, n * sizeof *s->step_times);
      s->profiling = 1;
    } else {
      st = anvil_make_status(ANVIL_STATUS_RESOURCE_EXHAUSTED, "out of memory");
    }
  } else {
    s->profiling = 0;
  }
  atomic_flag_clear_explicit(&s->busy, memory_order_release);
  return st;
}

anvil_status_t anvil_session_num_steps(const anvil_session_t *s,
                                       size_t *out_num_steps) {
  if (!s)
    return null_arg(__func__, "session");
  if (!out_num_steps)
    return null_arg(__func__, "out_num_steps");
  *out_num_steps = s->model->plan.num_steps;
  return NULL;
}

anvil_status_t anvil_session_step_profile(const anvil_session_t *s, size_t step,
                                          anvil_step_profile_t *out) {
  if (!s)
    return null_arg(__func__, "session");
  if (!out)
    return null_arg(__func__, "out_profile");
  const anvil_model_t *m = s->model;
  if (step >= m->plan.num_steps)
    return anvil_make_status(ANVIL_STATUS_OUT_OF_RANGE,
                             "%s: step %zu of a plan of %u steps", __func__,
                             step, m->plan.num_steps);
  const anvil_plan_step_t *p = &m->plan.steps[step];
  memset(out, 0, sizeof *out);
  if (p->kind == ANVIL_STEP_COPY) {
    out->name = "copy";
    out->kernel = UINT32_MAX;
  } else {
    out->name = m->kernel_names[p->kernel];
    out->kernel = p->kernel;
  }
  if (s->step_times) {
    out->runs = s->step_times[step].runs;
    out->total_ns = s->step_times[step].ns;
  }
  return NULL;
}
