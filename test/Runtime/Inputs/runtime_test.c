/* anvil-runtime-test: the C API test, the arena placement test and the
 * plan-parser fuzzer (test/Runtime/capi.test, test/Runtime/arena.test,
 * test/Runtime/fuzz-plan.test).
 *
 *   anvil-runtime-test capi BASIC.so DTYPES.so OUTER.so
 *   anvil-runtime-test arena
 *   anvil-runtime-test fuzz PLAN.bin WEIGHTS_SIZE ITERATIONS SEED
 *
 * The artifacts are those of Inputs/anvil_artifact.py. Prints one line per
 * failed check and a summary; exits non-zero if anything failed. */
#include "anvil/runtime.h"
#include "arena.h" /* internal: placement is tested on hand-made intervals */
#include "model.h" /* internal: where the loaded weights are */
#include "plan.h"  /* internal: the fuzzer calls the parser directly */
#include "thread_pool.h" /* internal: the pool is stressed directly */

#include <limits.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int checks, failures;

#define CHECK(cond, ...)                                                       \
  do {                                                                         \
    ++checks;                                                                  \
    if (!(cond)) {                                                             \
      ++failures;                                                              \
      printf("FAIL line %d: ", __LINE__);                                      \
      printf(__VA_ARGS__);                                                     \
      printf("\n");                                                            \
    }                                                                          \
  } while (0)

/* Checks that `st` failed with `code` and a message containing `text`. */
#define CHECK_ERROR(st, code, text) check_error((st), (code), (text), __LINE__)

static void check_error(anvil_status_t st, anvil_status_code_t code,
                        const char *text, int line) {
  ++checks;
  const char *msg = anvil_status_message(st);
  if (!st || anvil_status_code(st) != code || !strstr(msg, text)) {
    ++failures;
    printf("FAIL line %d: expected error %d containing \"%s\", got %d \"%s\"\n",
           line, (int)code, text, (int)anvil_status_code(st), msg);
  } else {
    printf("ok: %s\n", msg);
  }
  anvil_status_free(st);
}

#define CHECK_OK(st) check_ok((st), __LINE__)

static int check_ok(anvil_status_t st, int line) {
  ++checks;
  if (st) {
    ++failures;
    printf("FAIL line %d: unexpected error: %s\n", line,
           anvil_status_message(st));
    anvil_status_free(st);
    return 0;
  }
  return 1;
}

static anvil_tensor_t f32_tensor(float *data, size_t count, int rank,
                                 int64_t d0, int64_t d1) {
  anvil_tensor_t t;
  memset(&t, 0, sizeof t);
  t.data = data;
  t.byte_size = count * sizeof(float);
  t.dtype = ANVIL_DTYPE_F32;
  t.rank = rank;
  t.dims[0] = d0;
  t.dims[1] = d1;
  return t;
}

/*===--- The basic model's reference, as in anvil_artifact.py -------------===*/

static void reference(const float *x, const float *y, int n, float *sum,
                      float *relu, float *col2, float *total) {
  float w[4][3], bias[3] = {0.5f, -1.0f, 0.25f};
  for (int k = 0; k < 4; ++k)
    for (int j = 0; j < 3; ++j)
      w[k][j] = ((float)(k * 3 + j) - 5.5f) / 4;
  *total = 0;
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < 4; ++j)
      sum[i * 4 + j] = x[i * 4 + j] + y[i * 4 + j];
    for (int j = 0; j < 3; ++j) {
      float acc = bias[j];
      for (int k = 0; k < 4; ++k)
        acc += sum[i * 4 + k] * w[k][j];
      relu[i * 3 + j] = acc > 0 ? acc : 0;
      if (j == 2)
        col2[i] = 2 * acc;
    }
  }
  for (int i = 0; i < n * 3; ++i)
    *total += relu[i];
}

static int close_to(const float *a, const float *b, int n) {
  for (int i = 0; i < n; ++i)
    if (fabsf(a[i] - b[i]) > 1e-5f + 1e-5f * fabsf(b[i]))
      return 0;
  return 1;
}

/* Runs the basic model at batch n (caller-owned outputs) and checks it. */
static void run_basic(anvil_session_t *session, int n) {
  float x[64], y[64], sum[64], relu[48], col2[16], total;
  float r_sum[64], r_relu[48], r_col2[16], r_total;
  for (int i = 0; i < n * 4; ++i) {
    x[i] = (float)((i * 7) % 13) / 4 - 1.5f;
    y[i] = (float)((i * 5) % 11) / 8 - 0.5f;
  }
  reference(x, y, n, r_sum, r_relu, r_col2, &r_total);
  anvil_tensor_t in[2] = {f32_tensor(x, (size_t)n * 4, 2, n, 4),
                          f32_tensor(y, (size_t)n * 4, 2, n, 4)};
  anvil_tensor_t out[4] = {
      f32_tensor(sum, 64, 2, 0, 0), f32_tensor(relu, 48, 1, 0, 0),
      f32_tensor(col2, 16, 1, 0, 0), f32_tensor(&total, 1, 0, 0, 0)};
  if (!CHECK_OK(anvil_session_run(session, in, 2, out, 4)))
    return;
  CHECK(out[0].rank == 2 && out[0].dims[0] == n && out[0].dims[1] == 4,
        "sum shape at batch %d", n);
  CHECK(out[1].rank == 1 && out[1].dims[0] == 3 * n, "relu shape");
  CHECK(out[3].rank == 0 && out[3].dtype == ANVIL_DTYPE_F32, "total shape");
  CHECK(out[0].byte_size == 64 * sizeof(float), "byte_size is left alone");
  CHECK(close_to(sum, r_sum, n * 4) && close_to(relu, r_relu, n * 3) &&
            close_to(col2, r_col2, n) && close_to(&total, &r_total, 1),
        "values at batch %d", n);
}

/*===--- The checks -------------------------------------------------------===*/

static void test_status_and_dtypes(void) {
  CHECK(strcmp(anvil_status_message(NULL), "OK") == 0, "message of NULL");
  CHECK(anvil_status_code(NULL) == ANVIL_STATUS_OK, "code of NULL");
  anvil_status_free(NULL);
  CHECK(strcmp(anvil_dtype_name(ANVIL_DTYPE_F32), "f32") == 0, "f32 name");
  CHECK(strcmp(anvil_dtype_name(ANVIL_DTYPE_BF16), "bf16") == 0, "bf16 name");
  CHECK(strcmp(anvil_dtype_name((anvil_dtype_t)99), "invalid") == 0,
        "invalid name");
  CHECK(anvil_dtype_size(ANVIL_DTYPE_F64) == 8 &&
            anvil_dtype_size(ANVIL_DTYPE_BOOL) == 1 &&
            anvil_dtype_size((anvil_dtype_t)0) == 0,
        "dtype sizes");
}

static void test_load_errors(void) {
  anvil_model_t *m = NULL;
  CHECK_ERROR(anvil_model_load(NULL, &m), ANVIL_STATUS_INVALID_ARGUMENT,
              "anvil_model_load: path is NULL");
  CHECK_ERROR(anvil_model_load("x.so", NULL), ANVIL_STATUS_INVALID_ARGUMENT,
              "anvil_model_load: out_model is NULL");
  CHECK_ERROR(anvil_model_load("/nonexistent/model.so", &m),
              ANVIL_STATUS_NOT_FOUND,
              "cannot load '/nonexistent/model.so': No such file");
  CHECK_ERROR(anvil_model_load("/", &m), ANVIL_STATUS_INVALID_ARTIFACT,
              "not a regular file");
  CHECK(m == NULL, "out_model untouched on failure");
}

/* Kernels read the weights where dlopen mapped the artifact: a read-only
   mapping of the artifact's file (shared with every other process that
   loads it), not a copy on the heap. */
static void test_weights_mapped(const anvil_model_t *m, const char *path) {
  char real[PATH_MAX], line[PATH_MAX + 128];
  /* anvil_model_weights tells where they are: what the loader found. */
  const void *data = (const void *)1;
  size_t size = 1;
  CHECK_ERROR(anvil_model_weights(NULL, &data, &size),
              ANVIL_STATUS_INVALID_ARGUMENT, "anvil_model_weights: model");
  CHECK_ERROR(anvil_model_weights(m, NULL, &size),
              ANVIL_STATUS_INVALID_ARGUMENT, "anvil_model_weights: out_data");
  CHECK_ERROR(anvil_model_weights(m, &data, NULL),
              ANVIL_STATUS_INVALID_ARGUMENT, "anvil_model_weights: out_size");
  CHECK(data == (const void *)1 && size == 1,
        "anvil_model_weights writes nothing on failure");
  CHECK_OK(anvil_model_weights(m, &data, &size));
  CHECK(data == m->weights && size == m->weights_size && size > 0 &&
            (uintptr_t)data % 64 == 0,
        "anvil_model_weights gives %p, %zu bytes; the model holds %p, %llu",
        data, size, (void *)m->weights, (unsigned long long)m->weights_size);
  /* Evicting them from the caches changes no byte; NULL is an error unless
     empty. */
  if (anvil_can_evict_from_caches()) {
    unsigned long long before = 0, after = 0;
    for (size_t i = 0; i < size; ++i)
      before = before * 31 + ((const unsigned char *)data)[i];
    CHECK_OK(anvil_evict_from_caches(data, size));
    CHECK_OK(anvil_evict_from_caches((const char *)data + 3, size - 3));
    for (size_t i = 0; i < size; ++i)
      after = after * 31 + ((const unsigned char *)data)[i];
    CHECK(before == after, "evicting the weights changed them");
  } else {
    CHECK_ERROR(anvil_evict_from_caches(data, size),
                ANVIL_STATUS_FAILED_PRECONDITION, "no cache flush");
  }
  CHECK_OK(anvil_evict_from_caches(NULL, 0));
  CHECK_ERROR(anvil_evict_from_caches(NULL, 64), ANVIL_STATUS_INVALID_ARGUMENT,
              "anvil_evict_from_caches: data is NULL");
  uintptr_t weights = (uintptr_t)data;
  FILE *maps = fopen("/proc/self/maps", "r");
  int ready = size > 0 && realpath(path, real) && maps;
  CHECK(ready, "weights of %s and /proc/self/maps", path);
  if (!ready) {
    if (maps)
      fclose(maps);
    return;
  }
  int found = 0;
  while (fgets(line, sizeof line, maps)) {
    unsigned long lo, hi;
    char perms[8];
    int name_at = 0;
    if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &lo, &hi, perms, &name_at) <
            3 ||
        weights < lo || weights + m->weights_size > hi)
      continue;
    char *name = line + name_at;
    name[strcspn(name, "\n")] = '\0';
    found = 1;
    CHECK(perms[1] == '-' && !strcmp(name, real),
          "the weights lie in a %s mapping of '%s', expected a read-only "
          "mapping of '%s'",
          perms, name, real);
  }
  fclose(maps);
  CHECK(found, "no single mapping holds the weights");
}

static void test_queries(anvil_model_t *m) {
  size_t n = 0;
  anvil_tensor_info_t info;
  CHECK_ERROR(anvil_model_num_inputs(NULL, &n), ANVIL_STATUS_INVALID_ARGUMENT,
              "anvil_model_num_inputs: model is NULL");
  CHECK_ERROR(anvil_model_num_outputs(m, NULL), ANVIL_STATUS_INVALID_ARGUMENT,
              "anvil_model_num_outputs: out_count is NULL");
  CHECK(CHECK_OK(anvil_model_num_inputs(m, &n)) && n == 2, "2 inputs");
  CHECK(CHECK_OK(anvil_model_num_outputs(m, &n)) && n == 4, "4 outputs");
  if (CHECK_OK(anvil_model_input_info(m, 1, &info)))
    CHECK(strcmp(info.name, "y") == 0 && info.dtype == ANVIL_DTYPE_F32 &&
              info.rank == 2 && info.dims[0] == -1 && info.dims[1] == 4,
          "input 1 is y: f32 [?,4]");
  if (CHECK_OK(anvil_model_output_info(m, 3, &info)))
    CHECK(strcmp(info.name, "total") == 0 && info.rank == 0, "output 3");
  CHECK_ERROR(anvil_model_input_info(m, 2, &info),
              ANVIL_STATUS_INVALID_ARGUMENT,
              "index 2 out of range (the model has 2 inputs)");
  CHECK_ERROR(anvil_model_output_info(m, 0, NULL),
              ANVIL_STATUS_INVALID_ARGUMENT, "out_info is NULL");
  CHECK(CHECK_OK(anvil_model_find_output(m, "col2", &n)) && n == 2,
        "find col2");
  CHECK_ERROR(anvil_model_find_input(m, "z", &n), ANVIL_STATUS_NOT_FOUND,
              "the model has no input 'z'");
  CHECK_ERROR(anvil_model_find_input(m, NULL, &n),
              ANVIL_STATUS_INVALID_ARGUMENT, "name is NULL");
}

static void test_sessions(anvil_model_t *m) {
  anvil_session_t *s = NULL;
  anvil_session_options_t opts;
  anvil_session_options_init(&opts);
  CHECK(opts.num_threads == 0, "default options");
  CHECK_ERROR(anvil_session_create(NULL, NULL, &s),
              ANVIL_STATUS_INVALID_ARGUMENT,
              "anvil_session_create: model is NULL");
  CHECK_ERROR(anvil_session_create(m, NULL, NULL),
              ANVIL_STATUS_INVALID_ARGUMENT, "out_session is NULL");
  opts.num_threads = -2;
  CHECK_ERROR(anvil_session_create(m, &opts, &s), ANVIL_STATUS_INVALID_ARGUMENT,
              "num_threads is -2");
  CHECK_OK(anvil_session_create(m, NULL, &s));
  int32_t threads = 0;
  CHECK(CHECK_OK(anvil_session_num_threads(s, &threads)) && threads >= 1,
        "default threads");
  anvil_session_release(s);
  anvil_session_release(NULL);
}

/* Per-step profiles: names (this hand-built artifact records none:
   "kernel#K"), counts that follow the runs, off keeps them, on restarts. */
static void test_profiling(anvil_model_t *m) {
  anvil_session_t *s = NULL;
  if (!CHECK_OK(anvil_session_create(m, NULL, &s)))
    return;
  size_t steps = 0;
  CHECK(CHECK_OK(anvil_session_num_steps(s, &steps)) && steps == 7,
        "basic has 7 steps, got %zu", steps);
  CHECK_ERROR(anvil_session_num_steps(NULL, &steps),
              ANVIL_STATUS_INVALID_ARGUMENT, "session is NULL");
  CHECK_ERROR(anvil_session_set_profiling(NULL, 1),
              ANVIL_STATUS_INVALID_ARGUMENT, "session is NULL");
  anvil_step_profile_t p;
  CHECK_ERROR(anvil_session_step_profile(s, 7, &p), ANVIL_STATUS_OUT_OF_RANGE,
              "step 7 of a plan of 7 steps");
  CHECK_ERROR(anvil_session_step_profile(s, 0, NULL),
              ANVIL_STATUS_INVALID_ARGUMENT, "out_profile is NULL");
  CHECK(CHECK_OK(anvil_session_step_profile(s, 0, &p)) &&
            !strcmp(p.name, "kernel#0") && p.kernel == 0 && p.runs == 0 &&
            p.total_ns == 0,
        "step 0 before profiling: %s %u %llu", p.name, p.kernel,
        (unsigned long long)p.runs);
  CHECK(CHECK_OK(anvil_session_step_profile(s, 1, &p)) &&
            !strcmp(p.name, "copy") && p.kernel == UINT32_MAX,
        "step 1 is a copy: %s", p.name);
  CHECK(CHECK_OK(anvil_session_step_profile(s, 6, &p)) &&
            !strcmp(p.name, "kernel#4") && p.kernel == 4,
        "step 6 runs kernel 4: %s", p.name);
  run_basic(s, 3); /* not profiled */
  CHECK_OK(anvil_session_set_profiling(s, 1));
  run_basic(s, 3);
  run_basic(s, 5);
  uint64_t total = 0;
  int all_twice = 1;
  for (size_t i = 0; i < steps; ++i) {
    if (!CHECK_OK(anvil_session_step_profile(s, i, &p)))
      break;
    all_twice &= p.runs == 2;
    total += p.total_ns;
  }
  CHECK(all_twice, "every step ran twice while profiled");
  CHECK(total > 0, "the profiled steps took time");
  /* Off: the counters stay as they were through more runs. */
  CHECK_OK(anvil_session_set_profiling(s, 0));
  run_basic(s, 3);
  CHECK(CHECK_OK(anvil_session_step_profile(s, 0, &p)) && p.runs == 2,
        "off keeps the counts: %llu", (unsigned long long)p.runs);
  /* On again: from zero. A batch of 0 runs no workgroup of the steps
     with a grid over the batch (0, 2 and 3), which are not counted. */
  CHECK_OK(anvil_session_set_profiling(s, 1));
  run_basic(s, 0);
  CHECK(CHECK_OK(anvil_session_step_profile(s, 0, &p)) && p.runs == 0,
        "an empty grid does not run: %llu", (unsigned long long)p.runs);
  CHECK(CHECK_OK(anvil_session_step_profile(s, 6, &p)) && p.runs == 1,
        "kernel 4 ran once: %llu", (unsigned long long)p.runs);
  anvil_session_release(s);
}

static void test_runs(anvil_model_t *m) {
  anvil_session_options_t opts;
  anvil_session_options_init(&opts);
  opts.num_threads = 3;
  anvil_session_t *s = NULL;
  if (!CHECK_OK(anvil_session_create(m, &opts, &s)))
    return;
  anvil_memory_info_t mem;
  CHECK_ERROR(anvil_session_memory_info(s, &mem),
              ANVIL_STATUS_FAILED_PRECONDITION, "has not run yet");
  CHECK_ERROR(anvil_session_memory_info(NULL, &mem),
              ANVIL_STATUS_INVALID_ARGUMENT, "session is NULL");
  CHECK_ERROR(anvil_session_memory_info(s, NULL), ANVIL_STATUS_INVALID_ARGUMENT,
              "out_info is NULL");
  /* Changing shapes re-plans the arena; coming back reuses it. */
  run_basic(s, 3);
  /* TEMPs at batch 3: [3,4] f32 (steps 0-2), [3,3] (2-4), [3] (4-5), each
     rounded up to 64 bytes; at most two live at once. */
  if (CHECK_OK(anvil_session_memory_info(s, &mem)))
    CHECK(mem.arena_bytes == 128 && mem.arena_lower_bound_bytes == 128 &&
              mem.arena_capacity_bytes == 128 && mem.weights_bytes > 0 &&
              mem.placement && !strcmp(mem.placement, "greedy-by-size"),
          "memory at batch 3: arena %llu, bound %llu, capacity %llu, %s",
          (unsigned long long)mem.arena_bytes,
          (unsigned long long)mem.arena_lower_bound_bytes,
          (unsigned long long)mem.arena_capacity_bytes, mem.placement);
  run_basic(s, 5);
  run_basic(s, 1);
  run_basic(s, 16);
  /* 256 + 192 bytes at step 2; the [16] TEMP reuses the first one's bytes. */
  if (CHECK_OK(anvil_session_memory_info(s, &mem)))
    CHECK(mem.arena_bytes == 448 && mem.arena_lower_bound_bytes == 448,
          "memory at batch 16: arena %llu, bound %llu",
          (unsigned long long)mem.arena_bytes,
          (unsigned long long)mem.arena_lower_bound_bytes);
  run_basic(s, 3);
  /* The arena never shrinks. */
  if (CHECK_OK(anvil_session_memory_info(s, &mem)))
    CHECK(mem.arena_bytes == 128 && mem.arena_capacity_bytes == 448,
          "memory back at batch 3: arena %llu, capacity %llu",
          (unsigned long long)mem.arena_bytes,
          (unsigned long long)mem.arena_capacity_bytes);
  run_basic(s, 0);

  float x[12] = {0}, y[12] = {0}, small[4], big[64];
  anvil_tensor_t in[2] = {f32_tensor(x, 12, 2, 3, 4),
                          f32_tensor(y, 12, 2, 3, 4)};
  anvil_tensor_t out[4];
  for (int o = 0; o < 4; ++o)
    out[o] = f32_tensor(big, 64, 0, 0, 0);

  /* Runtime-allocated outputs. */
  anvil_tensor_t alloc[4];
  if (CHECK_OK(anvil_session_run_alloc(s, in, 2, alloc, 4))) {
    CHECK(alloc[0].data && alloc[0].byte_size == 48 && alloc[0].dims[0] == 3,
          "allocated sum");
    CHECK(alloc[3].data && alloc[3].byte_size == 4 && alloc[3].rank == 0,
          "allocated total");
    CHECK((uintptr_t)alloc[1].data % 64 == 0, "allocated outputs aligned");
    for (int o = 0; o < 4; ++o)
      anvil_free(alloc[o].data);
  }
  anvil_free(NULL);

  /* Caller-owned outputs that are too small or missing. */
  out[0] = f32_tensor(small, 4, 0, 0, 0);
  CHECK_ERROR(anvil_session_run(s, in, 2, out, 4),
              ANVIL_STATUS_INVALID_ARGUMENT,
              "output 'sum': the buffer has 16 bytes, but shape [3,4] (f32) "
              "needs 48");
  out[0] = f32_tensor(NULL, 0, 0, 0, 0);
  CHECK_ERROR(anvil_session_run(s, in, 2, out, 4),
              ANVIL_STATUS_INVALID_ARGUMENT, "output 'sum': data is NULL");
  out[0] = f32_tensor(big, 64, 0, 0, 0);

  /* Argument errors. */
  CHECK_ERROR(anvil_session_run(NULL, in, 2, out, 4),
              ANVIL_STATUS_INVALID_ARGUMENT,
              "anvil_session_run: session is NULL");
  CHECK_ERROR(anvil_session_run(s, in, 2, NULL, 4),
              ANVIL_STATUS_INVALID_ARGUMENT,
              "anvil_session_run: outputs is NULL");
  CHECK_ERROR(anvil_session_run(s, NULL, 2, out, 4),
              ANVIL_STATUS_INVALID_ARGUMENT, "inputs is NULL");
  CHECK_ERROR(anvil_session_run(s, in, 1, out, 4),
              ANVIL_STATUS_INVALID_ARGUMENT, "expected 2 inputs, got 1");
  CHECK_ERROR(anvil_session_run_alloc(s, in, 2, alloc, 3),
              ANVIL_STATUS_INVALID_ARGUMENT, "expected 4 outputs, got 3");
  CHECK(alloc[0].data == NULL, "failed run_alloc leaves data NULL");

  anvil_tensor_t bad[2] = {in[0], in[1]};
  bad[0].dtype = ANVIL_DTYPE_I32;
  CHECK_ERROR(anvil_session_run(s, bad, 2, out, 4),
              ANVIL_STATUS_INVALID_ARGUMENT,
              "input 'x': expected dtype f32, got i32");
  bad[0].dtype = (anvil_dtype_t)77;
  CHECK_ERROR(anvil_session_run(s, bad, 2, out, 4),
              ANVIL_STATUS_INVALID_ARGUMENT, "got invalid (77)");
  bad[0] = in[0];
  bad[0].rank = 3;
  bad[0].dims[2] = 1;
  CHECK_ERROR(anvil_session_run(s, bad, 2, out, 4),
              ANVIL_STATUS_INVALID_ARGUMENT,
              "input 'x': expected rank 2 (shape [?,4]), got rank 3");
  bad[0] = f32_tensor(x, 12, 2, 2, 6);
  CHECK_ERROR(anvil_session_run(s, bad, 2, out, 4),
              ANVIL_STATUS_INVALID_ARGUMENT,
              "input 'x': expected shape [?,4] (dtype f32), got [2,6]");
  bad[0] = in[0];
  bad[1] = f32_tensor(y, 12, 2, 2, 4);
  CHECK_ERROR(anvil_session_run(s, bad, 2, out, 4),
              ANVIL_STATUS_INVALID_ARGUMENT,
              "input 'y': expected shape [3,4] (dtype f32; dim 0 is tied to "
              "the other inputs' dims), got [2,4]");
  bad[1] = f32_tensor(y, 12, 2, -3, 4);
  CHECK_ERROR(anvil_session_run(s, bad, 2, out, 4),
              ANVIL_STATUS_INVALID_ARGUMENT, "input 'y': dim 0 is negative");
  bad[1] = f32_tensor(NULL, 12, 2, 3, 4);
  CHECK_ERROR(anvil_session_run(s, bad, 2, out, 4),
              ANVIL_STATUS_INVALID_ARGUMENT, "input 'y': data is NULL");
  bad[1] = f32_tensor(y, 11, 2, 3, 4);
  CHECK_ERROR(anvil_session_run(s, bad, 2, out, 4),
              ANVIL_STATUS_INVALID_ARGUMENT,
              "input 'y': byte_size is 44, but shape [3,4] (f32) needs 48 "
              "bytes");
  /* A huge symbolic dim: an error, not an overflow. */
  bad[0] = f32_tensor(x, 12, 2, (int64_t)1 << 62, 4);
  bad[1] = f32_tensor(y, 12, 2, (int64_t)1 << 62, 4);
  CHECK_ERROR(anvil_session_run(s, bad, 2, out, 4), ANVIL_STATUS_OUT_OF_RANGE,
              "input 'x': shape [4611686018427387904,4] is too large");
  bad[0] = f32_tensor(x, 12, 2, (int64_t)1 << 40, 4);
  bad[1] = f32_tensor(y, 12, 2, (int64_t)1 << 40, 4);
  CHECK_ERROR(anvil_session_run(s, bad, 2, out, 4),
              ANVIL_STATUS_INVALID_ARGUMENT, "input 'x': byte_size is 48");

  /* Output shapes without running. */
  anvil_tensor_t shapes[4];
  if (CHECK_OK(anvil_model_output_shapes(m, bad, 2, shapes, 4)))
    CHECK(shapes[1].dims[0] == ((int64_t)3 << 40) &&
              shapes[1].byte_size == ((size_t)12 << 40),
          "output_shapes for a huge batch");
  CHECK_ERROR(anvil_model_output_shapes(NULL, in, 2, shapes, 4),
              ANVIL_STATUS_INVALID_ARGUMENT, "model is NULL");
  CHECK_ERROR(anvil_model_output_shapes(m, in, 2, shapes, 2),
              ANVIL_STATUS_INVALID_ARGUMENT, "expected 4 outputs, got 2");

  /* The session still works after all those errors, and keeps its model
     alive after the caller released it. */
  anvil_model_release(m);
  run_basic(s, 4);
  anvil_session_release(s);
}

static void test_dtypes_model(const char *path) {
  anvil_model_t *m = NULL;
  if (!CHECK_OK(anvil_model_load(path, &m)))
    return;
  size_t n_in = 0, n_out = 0;
  CHECK_OK(anvil_model_num_inputs(m, &n_in));
  CHECK_OK(anvil_model_num_outputs(m, &n_out));
  anvil_tensor_t *in = calloc(n_in, sizeof *in);
  anvil_tensor_t *out = calloc(n_out, sizeof *out);
  /* Batch 0: empty tensors may have NULL data. */
  for (size_t i = 0; i < n_in; ++i) {
    anvil_tensor_info_t info;
    CHECK_OK(anvil_model_input_info(m, i, &info));
    in[i].dtype = info.dtype;
    in[i].rank = info.rank;
    int empty = 0;
    for (int d = 0; d < info.rank; ++d) {
      in[i].dims[d] = info.dims[d] < 0 ? 0 : info.dims[d];
      empty |= in[i].dims[d] == 0;
    }
    static unsigned char data[64];
    in[i].data = empty ? NULL : data;
    in[i].byte_size = empty ? 0 : sizeof data;
  }
  anvil_session_t *s = NULL;
  if (CHECK_OK(anvil_session_create(m, NULL, &s)) &&
      CHECK_OK(anvil_session_run_alloc(s, in, n_in, out, n_out))) {
    CHECK(out[0].dims[0] == 0 && out[0].byte_size == 0 && out[0].data,
          "empty output");
    for (size_t o = 0; o < n_out; ++o)
      anvil_free(out[o].data);
  }
  anvil_session_release(s);
  anvil_model_release(m);
  free(in);
  free(out);
}

static void test_size_errors(const char *path) {
  anvil_model_t *m = NULL;
  if (!CHECK_OK(anvil_model_load(path, &m)))
    return;
  anvil_tensor_t in = f32_tensor(NULL, 0, 1, 0, 0), out[2];
  CHECK_ERROR(anvil_model_output_shapes(m, &in, 1, out, 2),
              ANVIL_STATUS_OUT_OF_RANGE,
              "size expression 2: FLOORDIV of 8 and 0 divides by zero");
  in.dims[0] = (int64_t)1 << 32;
  CHECK_ERROR(anvil_model_output_shapes(m, &in, 1, out, 2),
              ANVIL_STATUS_OUT_OF_RANGE,
              "size expression 1: MUL of 4294967296 and 4294967296 overflows");
  in.dims[0] = (int64_t)1 << 31;
  CHECK_ERROR(anvil_model_output_shapes(m, &in, 1, out, 2),
              ANVIL_STATUS_OUT_OF_RANGE, "size overflows for these input");
  float x[3] = {1, 2, 3};
  in = f32_tensor(x, 3, 1, 3, 0);
  anvil_session_t *s = NULL;
  if (CHECK_OK(anvil_session_create(m, NULL, &s)) &&
      CHECK_OK(anvil_session_run_alloc(s, &in, 1, out, 2))) {
    const float *flat = out[1].data;
    CHECK(out[1].dims[0] == 9 && flat[5] == 6 && flat[8] == 9, "outer");
    anvil_free(out[0].data);
    anvil_free(out[1].data);
  }
  anvil_session_release(s);
  anvil_model_release(m);
}

static int capi(char **paths) {
  test_status_and_dtypes();
  test_load_errors();
  anvil_model_t *m = NULL;
  if (CHECK_OK(anvil_model_load(paths[0], &m))) {
    test_weights_mapped(m, paths[0]);
    test_queries(m);
    test_sessions(m);
    test_profiling(m);
    test_runs(m); /* releases m */
  }
  test_dtypes_model(paths[1]);
  test_size_errors(paths[2]);
  printf("capi: %d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}

/*===--- Fuzzing the plan parser ------------------------------------------===*/

static uint64_t rng_state;
static uint64_t next_random(void) {
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* Mutates a copy of a valid plan many ways (bit flips, boundary values
   written over 4 or 8 bytes, truncation) and parses each: the parser must
   reject or accept without reading out of bounds (ASan) and accepted plans
   must evaluate without crashing. */
static int fuzz(const char *path, uint64_t weights_size, long iters,
                uint64_t seed) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    return 1;
  }
  static uint8_t orig[1 << 16];
  size_t size = fread(orig, 1, sizeof orig, f);
  fclose(f);
  rng_state = seed;
  static const uint64_t boundary[] = {0,
                                      1,
                                      2,
                                      9,
                                      0x7f,
                                      0xff,
                                      0xffff,
                                      0x10000,
                                      0x7fffffff,
                                      0xffffffffu,
                                      UINT64_MAX,
                                      INT64_MAX,
                                      (uint64_t)INT64_MIN};
  long accepted = 0;
  for (long it = 0; it < iters; ++it) {
    size_t n = size;
    uint8_t *buf = malloc(size); /* exact size: ASan sees any overread */
    memcpy(buf, orig, size);
    int edits = 1 + (int)(next_random() % 4);
    for (int e = 0; e < edits; ++e) {
      size_t pos = next_random() % n;
      switch (next_random() % 4) {
      case 0:
        buf[pos] ^= (uint8_t)(1u << (next_random() % 8));
        break;
      case 1:
      case 2: {
        uint64_t v = boundary[next_random() % (sizeof boundary / 8)];
        size_t len = next_random() % 2 ? 4 : 8;
        for (size_t b = 0; b < len && pos + b < n; ++b)
          buf[pos + b] = (uint8_t)(v >> (8 * b));
        break;
      }
      case 3:
        n = pos;
        break;
      }
      if (n == 0)
        break;
    }
    anvil_plan_t plan;
    anvil_status_t st = anvil_plan_parse(buf, n, weights_size, &plan);
    if (!st) {
      ++accepted;
      int64_t dims[ANVIL_PLAN_MAX_RANK * 64];
      for (size_t d = 0; d < sizeof dims / sizeof dims[0]; ++d)
        dims[d] = 3;
      if (plan.num_inputs <= 64) {
        int64_t *values = calloc(plan.num_exprs + 1, sizeof *values);
        anvil_status_free(anvil_plan_eval_exprs(&plan, dims, values));
        free(values);
        anvil_arena_layout_t layout;
        anvil_status_free(
            anvil_arena_plan_blob(buf, n, weights_size, 3, &layout));
      }
      anvil_plan_destroy(&plan);
    } else if (!anvil_status_message(st)[0]) {
      printf("FAIL: empty error message\n");
      ++failures;
    }
    anvil_status_free(st);
    free(buf);
  }
  printf("fuzz: %ld mutated plans, %ld accepted, %d failures\n", iters,
         accepted, failures);
  return failures ? 1 : 0;
}

/*===--- Arena placement --------------------------------------------------===*/

#define UNIT ANVIL_ARENA_ALIGNMENT

static uint64_t aligned(uint64_t size) {
  return (size + UNIT - 1) / UNIT * UNIT;
}

/* The invariants of every placement: offsets aligned and inside the arena,
   and no two buffers live at the same step share a byte. */
static int valid_placement(const anvil_arena_item_t *items, size_t n,
                           const uint64_t *offsets, uint64_t arena) {
  for (size_t i = 0; i < n; ++i) {
    uint64_t si = aligned(items[i].size);
    if (offsets[i] % UNIT || (si && offsets[i] + si > arena))
      return 0;
    for (size_t j = 0; j < i; ++j) {
      uint64_t sj = aligned(items[j].size);
      int live =
          items[i].first <= items[j].last && items[j].first <= items[i].last;
      if (live && si && sj && offsets[i] < offsets[j] + sj &&
          offsets[j] < offsets[i] + si)
        return 0;
    }
  }
  return 1;
}

typedef struct arena_case {
  const char *name;
  size_t count;
  anvil_arena_item_t items[8]; /* sizes in units of ANVIL_ARENA_ALIGNMENT */
  uint64_t bound;              /* units */
  uint64_t sizes[ANVIL_ARENA_NUM_HEURISTICS]; /* units, per heuristic */
} arena_case_t;

/* Each of the four "wins" cases (found by a random search over small
   interval sets) is one that only that heuristic places in the lower bound,
   which is why all of them run. */
static const arena_case_t arena_cases[] = {
    {"disjoint lifetimes share offset 0",
     3,
     {{2, 0, 0}, {5, 1, 1}, {3, 2, 2}},
     5,
     {5, 5, 5, 5}},
    {"all live at once", 3, {{1, 0, 3}, {2, 0, 3}, {3, 0, 3}}, 6, {6, 6, 6, 6}},
    {"greedy-by-size wins",
     6,
     {{1, 1, 2}, {4, 3, 4}, {3, 2, 3}, {2, 0, 4}, {1, 2, 3}, {4, 4, 4}},
     10,
     {10, 11, 13, 11}},
    {"greedy-by-size-best-fit wins",
     8,
     {{4, 5, 6},
      {3, 0, 4},
      {3, 0, 6},
      {2, 0, 5},
      {1, 0, 3},
      {2, 0, 0},
      {3, 2, 4},
      {4, 1, 6}},
     16,
     {17, 16, 19, 19}},
    {"greedy-by-breadth wins",
     5,
     {{3, 0, 2}, {3, 2, 3}, {3, 2, 4}, {1, 0, 2}, {4, 0, 1}},
     10,
     {11, 11, 10, 11}},
    {"best-fit-in-order wins",
     6,
     {{3, 0, 2}, {4, 0, 1}, {4, 3, 3}, {4, 2, 3}, {4, 1, 2}, {4, 3, 4}},
     12,
     {15, 15, 15, 12}},
    /* 6 units are enough (the size-2 buffer live at steps 1-4 at 0, the
       size-3 one at 2, the other two at 2 and 4), but no heuristic finds
       it: the bound is a bound, not a promise. */
    {"no heuristic reaches the bound",
     4,
     {{3, 1, 2}, {2, 3, 4}, {2, 1, 4}, {2, 3, 4}},
     6,
     {7, 7, 7, 7}},
};

static void test_arena_cases(void) {
  for (size_t c = 0; c < sizeof arena_cases / sizeof arena_cases[0]; ++c) {
    const arena_case_t *ac = &arena_cases[c];
    anvil_arena_item_t items[8];
    uint64_t offsets[8], bound = 0, size = 0, best = UINT64_MAX;
    int best_h = 0;
    for (size_t i = 0; i < ac->count; ++i) {
      items[i] = ac->items[i];
      items[i].size *= UNIT;
    }
    if (CHECK_OK(anvil_arena_lower_bound(items, ac->count, &bound)))
      CHECK(bound == ac->bound * UNIT, "%s: bound %llu units, not %llu",
            ac->name, (unsigned long long)(bound / UNIT),
            (unsigned long long)ac->bound);
    for (int h = 0; h < ANVIL_ARENA_NUM_HEURISTICS; ++h) {
      if (!CHECK_OK(anvil_arena_place(
              items, ac->count, (anvil_arena_heuristic_t)h, offsets, &size)))
        continue;
      CHECK(size == ac->sizes[h] * UNIT, "%s: %s needs %llu units, not %llu",
            ac->name, anvil_arena_heuristic_name(h),
            (unsigned long long)(size / UNIT),
            (unsigned long long)ac->sizes[h]);
      CHECK(valid_placement(items, ac->count, offsets, size),
            "%s: %s overlaps live buffers", ac->name,
            anvil_arena_heuristic_name(h));
      if (ac->sizes[h] < best) {
        best = ac->sizes[h];
        best_h = h;
      }
    }
    anvil_arena_layout_t layout;
    if (CHECK_OK(anvil_arena_plan(items, ac->count, offsets, &layout)))
      CHECK(layout.size == best * UNIT && (int)layout.heuristic == best_h &&
                layout.lower_bound == ac->bound * UNIT &&
                valid_placement(items, ac->count, offsets, layout.size),
            "%s: plan kept %llu units by %s", ac->name,
            (unsigned long long)(layout.size / UNIT),
            anvil_arena_heuristic_name(layout.heuristic));
  }
}

/* Random interval sets (unaligned sizes, some empty): every heuristic keeps
   the invariants and stays above the bound; the plan is the smallest and
   the same every time. */
static void test_arena_random(void) {
  enum { MAX_ITEMS = 48 };
  anvil_arena_item_t items[MAX_ITEMS];
  uint64_t offsets[MAX_ITEMS], again[MAX_ITEMS];
  rng_state = 42;
  int bad = 0, attained = 0, total = 0;
  for (int it = 0; it < 500 && !bad; ++it, ++total) {
    size_t n = 1 + next_random() % MAX_ITEMS;
    uint32_t steps = 1 + (uint32_t)(next_random() % 40);
    for (size_t i = 0; i < n; ++i) {
      items[i].first = (uint32_t)(next_random() % steps);
      items[i].last =
          items[i].first + (uint32_t)(next_random() % (steps - items[i].first));
      items[i].size = next_random() % 8 ? next_random() % 100000 : 0;
    }
    uint64_t bound, size, best = UINT64_MAX;
    if (!CHECK_OK(anvil_arena_lower_bound(items, n, &bound)))
      return;
    for (int h = 0; h < ANVIL_ARENA_NUM_HEURISTICS; ++h) {
      if (!CHECK_OK(anvil_arena_place(items, n, (anvil_arena_heuristic_t)h,
                                      offsets, &size)))
        return;
      if (!valid_placement(items, n, offsets, size) || size < bound)
        bad = 1;
      best = size < best ? size : best;
    }
    anvil_arena_layout_t layout, layout2;
    if (!CHECK_OK(anvil_arena_plan(items, n, offsets, &layout)) ||
        !CHECK_OK(anvil_arena_plan(items, n, again, &layout2)))
      return;
    if (layout.size != best || layout.lower_bound != bound ||
        !valid_placement(items, n, offsets, layout.size) ||
        memcmp(offsets, again, n * sizeof *offsets) != 0 ||
        layout2.size != layout.size || layout2.heuristic != layout.heuristic)
      bad = 1;
    attained += layout.size == bound;
    if (bad)
      printf("FAIL: random interval set %d (%zu items over %u steps)\n", it, n,
             steps);
  }
  CHECK(!bad, "random interval sets");
  printf("arena: %d random interval sets, %d placed in the lower bound\n",
         total, attained);
}

static void test_arena_errors(void) {
  anvil_arena_item_t items[2] = {{64, 3, 1}, {64, 0, 0}};
  uint64_t offsets[2], out;
  anvil_arena_layout_t layout;
  CHECK_ERROR(
      anvil_arena_place(items, 2, ANVIL_ARENA_GREEDY_BY_SIZE, offsets, &out),
      ANVIL_STATUS_INVALID_ARGUMENT,
      "arena item 0: first step 3 is after its last step 1");
  CHECK_ERROR(anvil_arena_lower_bound(items, 2, &out),
              ANVIL_STATUS_INVALID_ARGUMENT, "first step 3");
  items[0] = (anvil_arena_item_t){UINT64_MAX - 3, 0, 0};
  CHECK_ERROR(anvil_arena_plan(items, 2, offsets, &layout),
              ANVIL_STATUS_OUT_OF_RANGE, "too large");
  /* Each fits; together they overflow the bound and the arena's end. */
  items[0] = items[1] = (anvil_arena_item_t){1ull << 63, 0, 0};
  CHECK_ERROR(anvil_arena_lower_bound(items, 2, &out),
              ANVIL_STATUS_OUT_OF_RANGE, "too large");
  CHECK_ERROR(
      anvil_arena_place(items, 2, ANVIL_ARENA_BEST_FIT_IN_ORDER, offsets, &out),
      ANVIL_STATUS_OUT_OF_RANGE, "too large");
  items[1].first = items[1].last = 1; /* not live together: both at 0 */
  if (CHECK_OK(anvil_arena_plan(items, 2, offsets, &layout)))
    CHECK(layout.size == 1ull << 63 && offsets[0] == 0 && offsets[1] == 0,
          "huge disjoint buffers");
  CHECK_ERROR(anvil_arena_plan(NULL, 2, offsets, &layout),
              ANVIL_STATUS_INVALID_ARGUMENT, "anvil_arena_plan: items is NULL");
  CHECK_ERROR(anvil_arena_plan(items, 2, NULL, &layout),
              ANVIL_STATUS_INVALID_ARGUMENT, "offsets is NULL");
  CHECK_ERROR(anvil_arena_plan(items, 2, offsets, NULL),
              ANVIL_STATUS_INVALID_ARGUMENT, "the result pointer is NULL");
  CHECK_ERROR(
      anvil_arena_place(items, 2, ANVIL_ARENA_NUM_HEURISTICS, offsets, &out),
      ANVIL_STATUS_INVALID_ARGUMENT, "4 is not a placement heuristic");
  CHECK(!strcmp(anvil_arena_heuristic_name(ANVIL_ARENA_NUM_HEURISTICS),
                "unknown"),
        "name of a non-heuristic");
  /* Nothing to place. */
  if (CHECK_OK(anvil_arena_plan(NULL, 0, NULL, &layout)))
    CHECK(layout.size == 0 && layout.lower_bound == 0, "empty arena");
  /* Sizes round up to the alignment; empty buffers take no room. */
  anvil_arena_item_t odd[3] = {{1, 0, 1}, {65, 1, 2}, {0, 0, 2}};
  uint64_t odd_offsets[3];
  if (CHECK_OK(anvil_arena_plan(odd, 3, odd_offsets, &layout)))
    CHECK(layout.size == 3 * UNIT && layout.lower_bound == 3 * UNIT &&
              odd_offsets[2] == 0 &&
              valid_placement(odd, 3, odd_offsets, 3 * UNIT),
          "aligned sizes: arena %llu", (unsigned long long)layout.size);
}

/* The arena of a plan blob as anvil-compile --stats sees it. */
static void test_arena_blob(const char *path, uint64_t weights_size) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    CHECK(0, "cannot open %s", path);
    return;
  }
  static uint8_t blob[1 << 16];
  size_t size = fread(blob, 1, sizeof blob, f);
  fclose(f);
  anvil_arena_layout_t layout;
  /* The basic plan's TEMPs are [N,4], [N,3] and [N] f32. */
  if (CHECK_OK(anvil_arena_plan_blob(blob, size, weights_size, 1, &layout)))
    CHECK(layout.size == 128 && layout.lower_bound == 128,
          "basic plan at N = 1: arena %llu, bound %llu",
          (unsigned long long)layout.size,
          (unsigned long long)layout.lower_bound);
  if (CHECK_OK(anvil_arena_plan_blob(blob, size, weights_size, 16, &layout)))
    CHECK(layout.size == 448 && layout.lower_bound == 448,
          "basic plan at N = 16: arena %llu, bound %llu",
          (unsigned long long)layout.size,
          (unsigned long long)layout.lower_bound);
  CHECK_ERROR(anvil_arena_plan_blob(blob, size, weights_size, -1, &layout),
              ANVIL_STATUS_OUT_OF_RANGE, "is -1 for these input shapes");
  CHECK_ERROR(anvil_arena_plan_blob(blob, size / 2, weights_size, 1, &layout),
              ANVIL_STATUS_INVALID_ARTIFACT, "");
  CHECK_ERROR(anvil_arena_plan_blob(NULL, size, weights_size, 1, &layout),
              ANVIL_STATUS_INVALID_ARGUMENT, "blob is NULL");
}

static int arena(const char *plan_path, uint64_t weights_size) {
  test_arena_cases();
  test_arena_random();
  test_arena_errors();
  if (plan_path)
    test_arena_blob(plan_path, weights_size);
  printf("arena: %d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}

/* One job of the pool stress: each workgroup counts itself in `ran` and
   checks that it belongs to this job. */
struct pool_job {
  int64_t job;
  int64_t wg_count;
  atomic_int *ran;
  atomic_int *wrong;
};

static void pool_kernel(void **args, int64_t wg_id, int64_t wg_count) {
  struct pool_job *job = args[0];
  if (wg_count != job->wg_count || wg_id < 0 || wg_id >= wg_count)
    atomic_fetch_add(job->wrong, 1);
  else
    atomic_fetch_add(&job->ran[wg_id], 1);
}

/* Jobs of 1 to 64 workgroups back to back on pools of 2, 3 and 4 threads:
   every workgroup of every job runs exactly once, with that job's arguments,
   and the pool has finished a job when run() returns. */
static int pool(int64_t jobs) {
  atomic_int ran[64], wrong;
  int64_t bad_jobs = 0;
  for (int threads = 2; threads <= 4; ++threads) {
    anvil_thread_pool_t *p = NULL;
    if (!check_ok(anvil_thread_pool_create(threads, &p), __LINE__))
      continue;
    for (int64_t j = 0; j < jobs; ++j) {
      struct pool_job job = {j, 1 + (j * 7 + threads) % 64, ran, &wrong};
      for (int i = 0; i < 64; ++i)
        atomic_init(&ran[i], 0);
      atomic_init(&wrong, 0);
      void *args[1] = {&job};
      anvil_thread_pool_run(p, pool_kernel, args, job.wg_count);
      int ok = atomic_load(&wrong) == 0;
      for (int i = 0; i < 64; ++i)
        ok &= atomic_load(&ran[i]) == (i < job.wg_count ? 1 : 0);
      bad_jobs += !ok;
    }
    anvil_thread_pool_destroy(p);
    CHECK(bad_jobs == 0,
          "%d threads: %lld of %lld jobs ran a workgroup twice, "
          "not at all, late or with another job's arguments\n",
          threads, (long long)bad_jobs, (long long)jobs);
  }
  printf("pool: %lld jobs on 2, 3 and 4 threads\n", (long long)jobs);
  printf("pool: %d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}

int main(int argc, char **argv) {
  if (argc == 5 && !strcmp(argv[1], "capi"))
    return capi(argv + 2);
  if ((argc == 2 || argc == 4) && !strcmp(argv[1], "arena"))
    return arena(argc == 4 ? argv[2] : NULL,
                 argc == 4 ? strtoull(argv[3], NULL, 10) : 0);
  if (argc == 3 && !strcmp(argv[1], "pool"))
    return pool(atol(argv[2]));
  if (argc == 6 && !strcmp(argv[1], "fuzz"))
    return fuzz(argv[2], strtoull(argv[3], NULL, 10), atol(argv[4]),
                strtoull(argv[5], NULL, 10));
  fprintf(stderr, "usage: anvil-runtime-test capi BASIC.so DTYPES.so OUTER.so\n"
                  "       anvil-runtime-test arena [PLAN.bin WEIGHTS_SIZE]\n"
                  "       anvil-runtime-test fuzz PLAN.bin WEIGHTS_SIZE ITERS "
                  "SEED\n"
                  "       anvil-runtime-test pool JOBS\n");
  return 2;
}
