/* embed: how a serving system embeds the Anvil runtime.
 *
 *   embed MODEL.so [threads] [iters] [session_threads]
 *
 * Loads the model once, fills deterministic inputs (symbolic dims = 2), runs
 * it on one thread for reference outputs, then runs `threads` (default 4)
 * threads x `iters` (default 100) inferences concurrently -- one session per
 * thread, all sharing the model, each session using `session_threads`
 * (default 2) threads for its kernels -- and checks that every result is
 * bit-identical to the reference. Exits non-zero on any error or mismatch. */
#include "anvil/runtime.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct shared {
  anvil_model_t *model;
  const anvil_tensor_t *inputs;
  size_t num_inputs;
  const anvil_tensor_t *refs;
  size_t num_outputs;
  int iters;
  int session_threads;
} shared_t;

typedef struct worker {
  const shared_t *shared;
  pthread_t thread;
  int runs, mismatches;
  char error[512];
} worker_t;

/* Records the first error of a worker (or of main, with w == NULL). */
static int report(worker_t *w, anvil_status_t st) {
  if (!st)
    return 0;
  if (w)
    snprintf(w->error, sizeof w->error, "%s", anvil_status_message(st));
  else
    fprintf(stderr, "embed: error: %s\n", anvil_status_message(st));
  anvil_status_free(st);
  return 1;
}

static int same_result(const anvil_tensor_t *a, const anvil_tensor_t *ref) {
  return a->dtype == ref->dtype && a->rank == ref->rank &&
         memcmp(a->dims, ref->dims, sizeof(int64_t) * (size_t)a->rank) == 0 &&
         memcmp(a->data, ref->data, ref->byte_size) == 0;
}

/* One thread: its own session; alternates runtime-allocated outputs and
   outputs in its own buffers, the two ways a server may run. */
static void *worker_main(void *arg) {
  worker_t *w = arg;
  const shared_t *s = w->shared;
  anvil_session_options_t opts;
  anvil_session_options_init(&opts);
  opts.num_threads = s->session_threads;
  anvil_session_t *session = NULL;
  anvil_tensor_t *outs = calloc(s->num_outputs + 1, sizeof *outs);
  anvil_tensor_t *owned = calloc(s->num_outputs + 1, sizeof *owned);
  if (!outs || !owned) {
    snprintf(w->error, sizeof w->error, "out of memory");
    goto done;
  }
  for (size_t o = 0; o < s->num_outputs; ++o) {
    owned[o].byte_size = s->refs[o].byte_size;
    owned[o].data = malloc(owned[o].byte_size ? owned[o].byte_size : 1);
    if (!owned[o].data) {
      snprintf(w->error, sizeof w->error, "out of memory");
      goto done;
    }
  }
  if (report(w, anvil_session_create(s->model, &opts, &session)))
    goto done;
  for (int i = 0; i < s->iters; ++i) {
    int alloc = i % 2 == 0;
    anvil_tensor_t *res = alloc ? outs : owned;
    anvil_status_t st =
        alloc ? anvil_session_run_alloc(session, s->inputs, s->num_inputs, outs,
                                        s->num_outputs)
              : anvil_session_run(session, s->inputs, s->num_inputs, owned,
                                  s->num_outputs);
    if (report(w, st))
      break;
    ++w->runs;
    for (size_t o = 0; o < s->num_outputs; ++o)
      if (!same_result(&res[o], &s->refs[o])) {
        ++w->mismatches;
        break;
      }
    if (alloc)
      for (size_t o = 0; o < s->num_outputs; ++o)
        anvil_free(outs[o].data);
  }
done:
  for (size_t o = 0; owned && o < s->num_outputs; ++o)
    free(owned[o].data);
  free(owned);
  free(outs);
  anvil_session_release(session);
  return NULL;
}

/* Bit patterns of small, exactly representable values (|f| in [2^-14, 2^15)
   or 0), enough for the pattern below. */
static unsigned short half_bits(float f) {
  unsigned bits;
  memcpy(&bits, &f, 4);
  if (f == 0)
    return 0;
  return (unsigned short)(((bits >> 16) & 0x8000) |
                          ((((bits >> 23) & 0xff) - 112) << 10) |
                          ((bits >> 13) & 0x3ff));
}

static unsigned short bf16_bits(float f) {
  unsigned bits;
  memcpy(&bits, &f, 4);
  return (unsigned short)(bits >> 16);
}

/* Deterministic inputs: symbolic dims are 2; values follow a small pattern
   that is exact in every dtype. */
static int make_inputs(anvil_model_t *model, anvil_tensor_t *inputs, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    anvil_tensor_info_t info;
    if (report(NULL, anvil_model_input_info(model, i, &info)))
      return 0;
    anvil_tensor_t *t = &inputs[i];
    t->dtype = info.dtype;
    t->rank = info.rank;
    size_t elems = 1, esize = anvil_dtype_size(info.dtype);
    for (int d = 0; d < info.rank; ++d) {
      t->dims[d] = info.dims[d] < 0 ? 2 : info.dims[d];
      elems *= (size_t)t->dims[d];
    }
    t->byte_size = elems * esize;
    unsigned char *p = malloc(t->byte_size ? t->byte_size : 1);
    if (!p) {
      fprintf(stderr, "embed: error: out of memory\n");
      return 0;
    }
    t->data = p;
    for (size_t e = 0; e < elems; ++e) {
      int v = (int)((e * 7 + i * 3) % 11) - 5; /* -5 .. 5 */
      unsigned char *q = p + e * esize;
      switch (info.dtype) {
      case ANVIL_DTYPE_F32: {
        float f = (float)v / 4;
        memcpy(q, &f, 4);
        break;
      }
      case ANVIL_DTYPE_F64: {
        double f = (double)v / 4;
        memcpy(q, &f, 8);
        break;
      }
      case ANVIL_DTYPE_F16:
      case ANVIL_DTYPE_BF16: {
        unsigned short h = info.dtype == ANVIL_DTYPE_F16
                               ? half_bits((float)v / 4)
                               : bf16_bits((float)v / 4);
        memcpy(q, &h, 2);
        break;
      }
      case ANVIL_DTYPE_BOOL:
        *q = (unsigned char)(v > 0);
        break;
      default: /* integers, little-endian; unsigned ones get 0 .. 10 */
        for (size_t b = 0; b < esize; ++b)
          q[b] = (unsigned char)((unsigned long long)(long long)(v + 5) >>
                                 (8 * b));
      }
    }
  }
  return 1;
}

static int parse_count(const char *text, const char *what, int *out) {
  char *end;
  long v = strtol(text, &end, 10);
  if (*end || end == text || v < 1 || v > 4096) {
    fprintf(stderr,
            "embed: error: %s must be an integer in [1, 4096], got "
            "'%s'\n",
            what, text);
    return 0;
  }
  *out = (int)v;
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 5) {
    fprintf(stderr, "usage: embed MODEL.so [threads] [iters] "
                    "[session_threads]\n");
    return 1;
  }
  int threads = 4, iters = 100, session_threads = 2;
  if ((argc > 2 && !parse_count(argv[2], "threads", &threads)) ||
      (argc > 3 && !parse_count(argv[3], "iters", &iters)) ||
      (argc > 4 && !parse_count(argv[4], "session_threads", &session_threads)))
    return 1;

  int status = 1;
  anvil_model_t *model = NULL;
  anvil_session_t *session = NULL;
  anvil_tensor_t *inputs = NULL, *refs = NULL;
  worker_t *workers = NULL;
  size_t num_inputs = 0, num_outputs = 0;
  if (report(NULL, anvil_model_load(argv[1], &model)) ||
      report(NULL, anvil_model_num_inputs(model, &num_inputs)) ||
      report(NULL, anvil_model_num_outputs(model, &num_outputs)))
    goto done;
  inputs = calloc(num_inputs + 1, sizeof *inputs);
  refs = calloc(num_outputs + 1, sizeof *refs);
  workers = calloc((size_t)threads, sizeof *workers);
  if (!inputs || !refs || !workers) {
    fprintf(stderr, "embed: error: out of memory\n");
    goto done;
  }
  if (!make_inputs(model, inputs, num_inputs))
    goto done;

  /* The reference: one session, one thread. */
  anvil_session_options_t opts;
  anvil_session_options_init(&opts);
  opts.num_threads = 1;
  if (report(NULL, anvil_session_create(model, &opts, &session)) ||
      report(NULL, anvil_session_run_alloc(session, inputs, num_inputs, refs,
                                           num_outputs)))
    goto done;

  shared_t shared = {model,       inputs, num_inputs,     refs,
                     num_outputs, iters,  session_threads};
  int started = 0;
  for (; started < threads; ++started) {
    workers[started].shared = &shared;
    if (pthread_create(&workers[started].thread, NULL, worker_main,
                       &workers[started])) {
      fprintf(stderr, "embed: error: cannot start thread %d\n", started);
      break;
    }
  }
  int runs = 0, mismatches = 0, errors = 0;
  for (int t = 0; t < started; ++t) {
    pthread_join(workers[t].thread, NULL);
    runs += workers[t].runs;
    mismatches += workers[t].mismatches;
    if (workers[t].error[0]) {
      fprintf(stderr, "embed: error: thread %d: %s\n", t, workers[t].error);
      ++errors;
    }
  }
  printf("embed: %s: %zu inputs, %zu outputs; %d threads x %d runs (%d "
         "threads per session): %d runs, %d mismatches\n",
         argv[1], num_inputs, num_outputs, threads, iters, session_threads,
         runs, mismatches);
  if (mismatches)
    fprintf(stderr,
            "embed: error: %d runs differ from the single-threaded "
            "reference\n",
            mismatches);
  status = started == threads && !errors && !mismatches ? 0 : 1;

done:
  for (size_t i = 0; inputs && i < num_inputs; ++i)
    free(inputs[i].data);
  for (size_t o = 0; refs && o < num_outputs; ++o)
    anvil_free(refs[o].data);
  free(inputs);
  free(refs);
  free(workers);
  anvil_session_release(session);
  anvil_model_release(model);
  return status;
}
