/*===- anvil/runtime.h - The Anvil runtime C API
 *----------------------------===*
 *
 * Loads an artifact written by `anvil-compile` (one shared object holding
 * kernels, weights and an execution plan) and runs it on CPU threads.
 *
 *   anvil_model_t *model;
 *   anvil_status_t st = anvil_model_load("model.so", &model);
 *   if (st) { fprintf(stderr, "%s\n", anvil_status_message(st));
 *             anvil_status_free(st); ... }
 *   anvil_session_t *session;
 *   st = anvil_session_create(model, NULL, &session);
 *   anvil_tensor_t in = {.data = x, .byte_size = sizeof x,
 *                        .dtype = ANVIL_DTYPE_F32, .rank = 2, .dims = {2, 64}};
 *   anvil_tensor_t out;
 *   st = anvil_session_run_alloc(session, &in, 1, &out, 1);
 *   ... use out.data ...
 *   anvil_free(out.data);
 *   anvil_session_release(session);
 *   anvil_model_release(model);
 *
 * Conventions: every call that can fail returns an anvil_status_t, NULL
 * meaning success; results come back through `out_` parameters, which are
 * written only on success. Objects are created and released explicitly.
 * The library contains no LLVM or MLIR.
 *===----------------------------------------------------------------------===*/
#ifndef ANVIL_RUNTIME_H
#define ANVIL_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define ANVIL_API __attribute__((visibility("default")))
#else
#define ANVIL_API
#endif

/* The largest rank of any tensor the runtime handles. */
#define ANVIL_MAX_RANK 8

/*===--- Status -----------------------------------------------------------===*/

/* What went wrong, coarsely; the message says exactly what. A plain value. */
typedef enum anvil_status_code {
  ANVIL_STATUS_OK = 0,
  /* The caller passed something wrong: a NULL pointer, an input of the wrong
     dtype or shape, an output buffer that is too small. */
  ANVIL_STATUS_INVALID_ARGUMENT = 1,
  /* A file, or a tensor name, that does not exist. */
  ANVIL_STATUS_NOT_FOUND = 2,
  /* The file exists but is not a valid Anvil artifact. */
  ANVIL_STATUS_INVALID_ARTIFACT = 3,
  /* A size that overflows, or an expression of the plan that cannot be
     evaluated for the given input shapes (e.g. a division by zero). */
  ANVIL_STATUS_OUT_OF_RANGE = 4,
  /* Out of memory or threads. */
  ANVIL_STATUS_RESOURCE_EXHAUSTED = 5,
  /* The call is not allowed in the object's current state (e.g. a session
     already running on another thread). */
  ANVIL_STATUS_FAILED_PRECONDITION = 6,
  /* Reading a file failed for a reason other than its absence. */
  ANVIL_STATUS_IO_ERROR = 7
} anvil_status_code_t;

/* An error: a code and a one-line message. NULL means success. A status is
   owned by the caller who received it and must be freed with
   anvil_status_free; it is a plain value, usable from any thread. */
typedef struct anvil_status *anvil_status_t;

/* The message of `status`; "OK" for NULL. Valid until the status is freed. */
ANVIL_API const char *anvil_status_message(anvil_status_t status);
/* The code of `status`; ANVIL_STATUS_OK for NULL. */
ANVIL_API anvil_status_code_t anvil_status_code(anvil_status_t status);
/* Frees `status`; NULL is allowed. */
ANVIL_API void anvil_status_free(anvil_status_t status);

/*===--- Element types ----------------------------------------------------===*/

/* Element types; the numeric codes are those of ANVIL_PLAN_DTYPE_* in
   anvil/plan_format.h (and never change). A plain value. */
typedef enum anvil_dtype {
  ANVIL_DTYPE_F32 = 1,
  ANVIL_DTYPE_F64 = 2,
  ANVIL_DTYPE_F16 = 3,
  ANVIL_DTYPE_BF16 = 4,
  ANVIL_DTYPE_I8 = 5,
  ANVIL_DTYPE_I16 = 6,
  ANVIL_DTYPE_I32 = 7,
  ANVIL_DTYPE_I64 = 8,
  ANVIL_DTYPE_U8 = 9,
  ANVIL_DTYPE_U16 = 10,
  ANVIL_DTYPE_U32 = 11,
  ANVIL_DTYPE_U64 = 12,
  ANVIL_DTYPE_BOOL = 13 /* one byte per element, 0 or 1 */
} anvil_dtype_t;

/* "f32", "i64", "bool", ...; "invalid" for a code that is not a dtype. */
ANVIL_API const char *anvil_dtype_name(anvil_dtype_t dtype);
/* Bytes per element; 0 for a code that is not a dtype. */
ANVIL_API size_t anvil_dtype_size(anvil_dtype_t dtype);

/*===--- Tensors ----------------------------------------------------------===*/

/* A dense, row-major tensor in memory the caller (or, for runtime-allocated
   outputs, the runtime) owns. A plain struct: thread-safety is that of the
   memory it points to. */
typedef struct anvil_tensor {
  void *data;       /* may be NULL only when the tensor has no elements */
  size_t byte_size; /* bytes available at data */
  anvil_dtype_t dtype;
  int32_t rank; /* 0 .. ANVIL_MAX_RANK */
  int64_t dims[ANVIL_MAX_RANK];
} anvil_tensor_t;

/* What a model expects of one input or promises of one output. A plain
   struct; `name` points into the model and lives as long as it. */
typedef struct anvil_tensor_info {
  const char *name;
  anvil_dtype_t dtype;
  int32_t rank;
  int64_t dims[ANVIL_MAX_RANK]; /* -1: symbolic (set by the caller's shapes) */
} anvil_tensor_info_t;

/*===--- Models -----------------------------------------------------------===*/

/* A loaded artifact. Immutable once loaded: one model may be shared by any
   number of threads and sessions, and released by any thread once nothing
   uses it any more (sessions keep their model alive). */
typedef struct anvil_model anvil_model_t;

/* Loads the artifact at `path`, validating it completely (ELF type and
   machine, plan, weights, kernel symbols) before any of its code runs. */
ANVIL_API anvil_status_t anvil_model_load(const char *path,
                                          anvil_model_t **out_model);
/* Drops the caller's reference; NULL is allowed. The artifact is unloaded
   when the last session using it is released too. */
ANVIL_API void anvil_model_release(anvil_model_t *model);

ANVIL_API anvil_status_t anvil_model_num_inputs(const anvil_model_t *model,
                                                size_t *out_count);
ANVIL_API anvil_status_t anvil_model_num_outputs(const anvil_model_t *model,
                                                 size_t *out_count);
ANVIL_API anvil_status_t anvil_model_input_info(const anvil_model_t *model,
                                                size_t index,
                                                anvil_tensor_info_t *out_info);
ANVIL_API anvil_status_t anvil_model_output_info(const anvil_model_t *model,
                                                 size_t index,
                                                 anvil_tensor_info_t *out_info);
/* The index of the input (output) called `name`; ANVIL_STATUS_NOT_FOUND if
   there is none. */
ANVIL_API anvil_status_t anvil_model_find_input(const anvil_model_t *model,
                                                const char *name,
                                                size_t *out_index);
ANVIL_API anvil_status_t anvil_model_find_output(const anvil_model_t *model,
                                                 const char *name,
                                                 size_t *out_index);

/* Computes the outputs' dtype, rank, dims and byte_size for inputs of the
   given shapes (only the inputs' dtype, rank and dims are read; their data
   may be NULL), so that a caller can allocate output buffers for
   anvil_session_run. `outputs[i].data` is left untouched. */
ANVIL_API anvil_status_t anvil_model_output_shapes(const anvil_model_t *model,
                                                   const anvil_tensor_t *inputs,
                                                   size_t num_inputs,
                                                   anvil_tensor_t *outputs,
                                                   size_t num_outputs);

/* Where the model's weights (its constant tensors) lie: the read-only
   mapping of the artifact that kernels read, 64-byte aligned. A model
   without weights gives NULL and 0. Valid while the model is loaded. For
   tools that manage what the caches hold, e.g. a tuner that evicts the
   weights before timing a kernel as it runs inside a larger model. */
ANVIL_API anvil_status_t anvil_model_weights(const anvil_model_t *model,
                                             const void **out_data,
                                             size_t *out_size);

/*===--- Sessions ---------------------------------------------------------===*/

/* How to create a session. A plain struct, read only during
   anvil_session_create. */
typedef struct anvil_session_options {
  /* Threads that run the workgroups of a kernel, the calling thread
     included; 0 means the number of online cores. */
  int32_t num_threads;
} anvil_session_options_t;

/* Fills `options` with the defaults. */
ANVIL_API void anvil_session_options_init(anvil_session_options_t *options);

/* The state to run a model: a memory arena for intermediate tensors and a
   thread pool. A session is used by one thread at a time (a second
   concurrent run fails with ANVIL_STATUS_FAILED_PRECONDITION); different
   sessions, of the same model or not, run concurrently. */
typedef struct anvil_session anvil_session_t;

/* `options` may be NULL for the defaults. */
ANVIL_API anvil_status_t anvil_session_create(
    anvil_model_t *model, const anvil_session_options_t *options,
    anvil_session_t **out_session);
/* Stops the session's threads and frees it; NULL is allowed. */
ANVIL_API void anvil_session_release(anvil_session_t *session);

/* The number of threads the session runs kernels on. */
ANVIL_API anvil_status_t anvil_session_num_threads(
    const anvil_session_t *session, int32_t *out_num_threads);

/* Runs the model into caller-owned output buffers. `inputs` and `outputs`
   are in the model's order. Each output's `data` and `byte_size` (its
   capacity) are read; on success its dtype, rank and dims are set and its
   bytes written (byte_size is left as it was). Outputs must not overlap
   inputs or each other. Inputs are never written. */
ANVIL_API anvil_status_t anvil_session_run(anvil_session_t *session,
                                           const anvil_tensor_t *inputs,
                                           size_t num_inputs,
                                           anvil_tensor_t *outputs,
                                           size_t num_outputs);

/* Runs the model into outputs that the runtime allocates: on success every
   field of each output is set and the caller frees each `data` with
   anvil_free. On failure no memory is left allocated and every `data` is
   NULL. */
ANVIL_API anvil_status_t anvil_session_run_alloc(anvil_session_t *session,
                                                 const anvil_tensor_t *inputs,
                                                 size_t num_inputs,
                                                 anvil_tensor_t *outputs,
                                                 size_t num_outputs);

/* Where a session's memory goes. A plain struct. */
typedef struct anvil_memory_info {
  /* Bytes of the arena that holds every intermediate tensor for the input
     shapes of the session's last run. Tensors whose lifetimes do not
     overlap share bytes; their offsets come from the smallest of several
     placement heuristics. */
  uint64_t arena_bytes;
  /* The largest total size of intermediate tensors alive at one step (each
     rounded up to 64 bytes): no placement fits in fewer bytes, so
     arena_bytes / arena_lower_bound_bytes (>= 1) measures the placement. */
  uint64_t arena_lower_bound_bytes;
  /* Bytes allocated for the arena: the largest arena_bytes of any run so
     far (the arena grows when the shapes need it, and never shrinks). */
  uint64_t arena_capacity_bytes;
  /* Bytes of constant tensors (weights) in the artifact. Kernels read them
     where the loader mapped the artifact's file: they are never copied,
     and every session and process using the artifact shares them. */
  uint64_t weights_bytes;
  /* The placement heuristic that gave arena_bytes, e.g. "greedy-by-size";
     a static string. */
  const char *placement;
} anvil_memory_info_t;

/* The memory figures of `session` for the input shapes of its last run
   whose inputs were valid (the arena depends on them);
   ANVIL_STATUS_FAILED_PRECONDITION before any such run. Like a run, not
   concurrently with a run of the same session. */
ANVIL_API anvil_status_t anvil_session_memory_info(
    const anvil_session_t *session, anvil_memory_info_t *out_info);

/*===--- Profiling --------------------------------------------------------===*/

/* The time a session spent in one step of its model's plan (a kernel
   dispatch or a copy) over the runs since profiling was switched on. A
   plain struct. */
typedef struct anvil_step_profile {
  /* The kernel function the step runs, e.g. "kernel_12" (the `symbol` of
     anvil-compile --list-kernels), or "copy" for a copy step. A static
     string, or one owned by the model (valid while it is loaded). Artifacts
     built before kernel names were recorded give "kernel#K". */
  const char *name;
  /* The kernel's index in the artifact (steps that dispatch the same kernel
     share it); UINT32_MAX for a copy step. */
  uint32_t kernel;
  /* Runs of the step (a dispatch of an empty grid does not run). */
  uint64_t runs;
  /* Their wall time, summed, in nanoseconds: from the step's start on the
     calling thread to the end of its last workgroup. */
  uint64_t total_ns;
} anvil_step_profile_t;

/* Switches per-step timing of `session`'s runs on (non-zero `enable`; the
   counters start from zero) or off (the counters are kept for reading).
   Timing costs two clock reads per step. Not concurrently with a run of the
   same session (ANVIL_STATUS_FAILED_PRECONDITION). */
ANVIL_API anvil_status_t anvil_session_set_profiling(anvil_session_t *session,
                                                     int enable);

/* The number of steps of the session's model (profile indices run from 0). */
ANVIL_API anvil_status_t anvil_session_num_steps(const anvil_session_t *session,
                                                 size_t *out_num_steps);

/* Step `step`'s counters (all zero before profiling was first switched on).
   Like a run, not concurrently with a run of the same session. */
ANVIL_API anvil_status_t
anvil_session_step_profile(const anvil_session_t *session, size_t step,
                           anvil_step_profile_t *out_profile);

/*===--- Caches -----------------------------------------------------------===*/

/* Whether anvil_evict_from_caches works on this CPU (x86-64: non-zero). */
ANVIL_API int anvil_can_evict_from_caches(void);

/* Evicts the bytes [data, data + size) from every level of the CPU caches,
   written back first where changed; no byte changes. For benchmarks and
   tuners that time a run as it runs inside a larger workload, e.g. with a
   model's weights (anvil_model_weights) far away as a model too large for
   the caches finds them. x86-64: clflushopt (clflush where the CPU lacks
   it); elsewhere ANVIL_STATUS_FAILED_PRECONDITION. Any thread, any time. */
ANVIL_API anvil_status_t anvil_evict_from_caches(const void *data, size_t size);

/* Frees output memory allocated by anvil_session_run_alloc; NULL is
   allowed. Any thread may free any output. */
ANVIL_API void anvil_free(void *data);

#ifdef __cplusplus
}
#endif

#endif /* ANVIL_RUNTIME_H */
