/*===- anvil-run.c - Runs an Anvil artifact on .npy inputs
 *------------------===*
 *
 *   anvil-run MODEL.so --input NAME=FILE.npy ... [--output-dir DIR]
 *             [--compare NAME=REF.npy ... [--rtol R] [--atol A]]
 *             [--bench N [--warmup W] [--profile] [--flush-weights]]
 *             [--threads T]
 *             [--random-inputs [--seed S] [--batch N]]
 *
 * Exit status: 0 success, 1 any error, 2 an output differs from its
 * reference. Links only libanvil_runtime.
 *===----------------------------------------------------------------------===*/
#include "anvil/runtime.h"
#include "npy.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#define EXIT_ERROR 1
#define EXIT_MISMATCH 2

static const char usage[] =
    "usage: anvil-run MODEL.so [options]\n"
    "\n"
    "Runs an artifact built by anvil-compile. Writes each output to\n"
    "DIR/<output name>.npy and prints one summary line per output.\n"
    "\n"
    "inputs:\n"
    "  --input NAME=FILE.npy   an input (NAME= may be left out if the model "
    "has one input)\n"
    "  --random-inputs         fill inputs not given by --input with "
    "deterministic random data\n"
    "  --seed S                seed for --random-inputs (default 0)\n"
    "  --batch N               value of every symbolic dim for "
    "--random-inputs (default 1)\n"
    "outputs:\n"
    "  --output-dir DIR        where to write outputs (default .; created if "
    "missing)\n"
    "  --compare NAME=REF.npy  check an output against a reference: |a-b| <= "
    "atol + rtol*|b|\n"
    "  --rtol R                relative tolerance (default 1e-4)\n"
    "  --atol A                absolute tolerance (default 1e-5)\n"
    "running:\n"
    "  --threads T             threads per kernel (default 0: one per core)\n"
    "  --bench N               time N runs; print p50/p90/min latency, "
    "peak memory\n"
    "                          and the arena against its lower bound\n"
    "  --warmup W              untimed runs before --bench (default 1)\n"
    "  --profile               with --bench: time each step of the timed "
    "runs and print\n"
    "                          each kernel's time per run, largest first\n"
    "  --flush-weights         with --bench: evict the model's weights from "
    "the CPU\n"
    "                          caches before each run (untimed), as a model "
    "too large\n"
    "                          for the caches finds them on every run\n"
    "  --help                  this text\n"
    "\n"
    "Exit status: 0 success; 1 error; 2 an output does not match its "
    "reference.\n"
    "bf16 tensors are read from and written to f32 .npy files.\n";

static void error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("anvil-run: error: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

/* Reports a failed runtime call and frees its status; returns 1 if failed. */
static int failed(anvil_status_t st) {
  if (!st)
    return 0;
  error("%s", anvil_status_message(st));
  anvil_status_free(st);
  return 1;
}

/*===--- Options ----------------------------------------------------------===*/

typedef struct named_file {
  const char *spec; /* NAME=FILE or FILE, as given */
  size_t index;     /* resolved input/output index */
  const char *file;
} named_file_t;

typedef struct options {
  const char *model;
  named_file_t *inputs, *compares;
  int num_inputs, num_compares;
  const char *output_dir;
  double rtol, atol;
  long bench, warmup;
  int profile;
  int flush_weights;
  int threads;
  int random_inputs;
  unsigned long long seed;
  long batch;
} options_t;

static int parse_long(const char *flag, const char *text, long lo, long hi,
                      long *out) {
  char *end;
  errno = 0;
  long v = strtol(text, &end, 10);
  if (errno || end == text || *end || v < lo || v > hi) {
    error("%s expects an integer in [%ld, %ld], got '%s'", flag, lo, hi, text);
    return 0;
  }
  *out = v;
  return 1;
}

static int parse_double(const char *flag, const char *text, double *out) {
  char *end;
  errno = 0;
  double v = strtod(text, &end);
  if (errno || end == text || *end || !(v >= 0) || isinf(v)) {
    error("%s expects a non-negative number, got '%s'", flag, text);
    return 0;
  }
  *out = v;
  return 1;
}

/* Matches `--flag VALUE` and `--flag=VALUE`; advances *i past the value. */
static int flag_value(int argc, char **argv, int *i, const char *flag,
                      const char **value, int *bad) {
  size_t n = strlen(flag);
  if (strncmp(argv[*i], flag, n) != 0)
    return 0;
  if (argv[*i][n] == '=') {
    *value = argv[*i] + n + 1;
    return 1;
  }
  if (argv[*i][n] != '\0')
    return 0;
  if (*i + 1 >= argc) {
    error("%s needs a value", flag);
    *bad = 1;
    return 1;
  }
  *value = argv[++*i];
  return 1;
}

/* Returns 0 (ok), or the exit status to end with. */
static int parse_args(int argc, char **argv, options_t *o) {
  o->output_dir = ".";
  o->rtol = 1e-4;
  o->atol = 1e-5;
  o->warmup = 1;
  o->batch = 1;
  o->inputs = calloc((size_t)argc, sizeof *o->inputs);
  o->compares = calloc((size_t)argc, sizeof *o->compares);
  if (!o->inputs || !o->compares) {
    error("out of memory");
    return EXIT_ERROR;
  }
  for (int i = 1; i < argc; ++i) {
    const char *v = NULL;
    int bad = 0;
    long n;
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      fputs(usage, stdout);
      return -1;
    } else if (!strcmp(argv[i], "--profile")) {
      o->profile = 1;
    } else if (!strcmp(argv[i], "--flush-weights")) {
      o->flush_weights = 1;
    } else if (!strcmp(argv[i], "--random-inputs")) {
      o->random_inputs = 1;
    } else if (flag_value(argc, argv, &i, "--input", &v, &bad)) {
      if (!bad)
        o->inputs[o->num_inputs++].spec = v;
    } else if (flag_value(argc, argv, &i, "--compare", &v, &bad)) {
      if (!bad)
        o->compares[o->num_compares++].spec = v;
    } else if (flag_value(argc, argv, &i, "--output-dir", &v, &bad)) {
      if (!bad)
        o->output_dir = v;
    } else if (flag_value(argc, argv, &i, "--rtol", &v, &bad)) {
      bad = bad || !parse_double("--rtol", v, &o->rtol);
    } else if (flag_value(argc, argv, &i, "--atol", &v, &bad)) {
      bad = bad || !parse_double("--atol", v, &o->atol);
    } else if (flag_value(argc, argv, &i, "--bench", &v, &bad)) {
      bad = bad || !parse_long("--bench", v, 1, 1000000000, &o->bench);
    } else if (flag_value(argc, argv, &i, "--warmup", &v, &bad)) {
      bad = bad || !parse_long("--warmup", v, 0, 1000000000, &o->warmup);
    } else if (flag_value(argc, argv, &i, "--threads", &v, &bad)) {
      bad = bad || !parse_long("--threads", v, 0, 1024, &n);
      o->threads = (int)n;
    } else if (flag_value(argc, argv, &i, "--seed", &v, &bad)) {
      bad = bad || !parse_long("--seed", v, 0, 0x7fffffffL, &n);
      o->seed = (unsigned long long)n;
    } else if (flag_value(argc, argv, &i, "--batch", &v, &bad)) {
      bad = bad || !parse_long("--batch", v, 0, 1L << 40, &o->batch);
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      error("unknown option '%s' (see --help)", argv[i]);
      return EXIT_ERROR;
    } else if (o->model) {
      error("more than one model given ('%s' and '%s')", o->model, argv[i]);
      return EXIT_ERROR;
    } else {
      o->model = argv[i];
    }
    if (bad)
      return EXIT_ERROR;
  }
  if (!o->model) {
    error("no model given (see --help)");
    return EXIT_ERROR;
  }
  if (o->profile && !o->bench) {
    error("--profile times the runs of --bench: give --bench N too");
    return EXIT_ERROR;
  }
  if (o->flush_weights && !o->bench) {
    error("--flush-weights flushes before the runs of --bench: give --bench N "
          "too");
    return EXIT_ERROR;
  }
  if (o->flush_weights && !anvil_can_evict_from_caches()) {
    error("--flush-weights: this CPU has no cache flush instruction the "
          "runtime can use");
    return EXIT_ERROR;
  }
  return 0;
}

/* Resolves "NAME=FILE" (or "FILE" for a one-tensor list) against the model's
   inputs or outputs. */
static int resolve(const anvil_model_t *model, named_file_t *nf, int output,
                   size_t count) {
  const char *what = output ? "output" : "input";
  const char *eq = strchr(nf->spec, '=');
  if (eq) {
    size_t len = (size_t)(eq - nf->spec);
    char *name = malloc(len + 1);
    if (!name) {
      error("out of memory");
      return 0;
    }
    memcpy(name, nf->spec, len);
    name[len] = '\0';
    anvil_status_t st = output
                            ? anvil_model_find_output(model, name, &nf->index)
                            : anvil_model_find_input(model, name, &nf->index);
    if (!st) {
      free(name);
      nf->file = eq + 1;
      return 1;
    }
    anvil_status_free(st);
    if (count != 1) {
      /* List the names, so that a typo is easy to fix. */
      char names[1024] = "";
      size_t n = 0;
      for (size_t i = 0; i < count && n < sizeof names; ++i) {
        anvil_tensor_info_t info;
        anvil_status_t st2 = output ? anvil_model_output_info(model, i, &info)
                                    : anvil_model_input_info(model, i, &info);
        if (st2) {
          anvil_status_free(st2);
          continue;
        }
        n += (size_t)snprintf(names + n, sizeof names - n, "%s'%s'",
                              i ? ", " : "", info.name);
      }
      error("the model has no %s '%s' (its %ss: %s)", what, name, what, names);
      free(name);
      return 0;
    }
    free(name);
    /* One tensor: "a=b.npy" may be a file name that contains '='. */
  }
  if (count != 1) {
    error("'%s': the model has %zu %ss, so say which one: NAME=FILE.npy",
          nf->spec, count, what);
    return 0;
  }
  nf->index = 0;
  nf->file = nf->spec;
  return 1;
}

/*===--- Inputs -----------------------------------------------------------===*/

static uint64_t splitmix64(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* Deterministic data for input `index`: floats in [-1, 1), small integers,
   booleans. */
static int random_input(const anvil_tensor_info_t *info, size_t index,
                        const options_t *o, anvil_tensor_t *t) {
  t->dtype = info->dtype;
  t->rank = info->rank;
  uint64_t elems = 1;
  for (int d = 0; d < info->rank; ++d) {
    t->dims[d] = info->dims[d] < 0 ? o->batch : info->dims[d];
    if (__builtin_mul_overflow(elems, (uint64_t)t->dims[d], &elems) ||
        elems > (1ull << 34)) {
      error("input '%s': random data would be too large", info->name);
      return 0;
    }
  }
  size_t esize = anvil_dtype_size(info->dtype);
  t->byte_size = (size_t)elems * esize;
  t->data = malloc(t->byte_size ? t->byte_size : 1);
  if (!t->data) {
    error("input '%s': out of memory", info->name);
    return 0;
  }
  uint64_t state = o->seed * 0x100000001b3ull + index;
  for (uint64_t i = 0; i < elems; ++i) {
    uint64_t r = splitmix64(&state);
    float f = (float)((double)(r >> 11) / 9007199254740992.0 * 2 - 1);
    uint8_t *p = (uint8_t *)t->data + i * esize;
    int64_t small =
        (int64_t)(r % 16) - (info->dtype <= ANVIL_DTYPE_I64 ? 8 : 0);
    switch (info->dtype) {
    case ANVIL_DTYPE_F32:
      memcpy(p, &f, 4);
      break;
    case ANVIL_DTYPE_F64: {
      double d = f;
      memcpy(p, &d, 8);
      break;
    }
    case ANVIL_DTYPE_F16: {
      uint16_t h = npy_float_to_half(f);
      memcpy(p, &h, 2);
      break;
    }
    case ANVIL_DTYPE_BF16: {
      uint16_t h = npy_float_to_bf16(f);
      memcpy(p, &h, 2);
      break;
    }
    case ANVIL_DTYPE_BOOL:
      *p = (uint8_t)(r & 1);
      break;
    default: /* integers, little-endian */
      for (size_t b = 0; b < esize; ++b)
        p[b] = (uint8_t)((uint64_t)small >> (8 * b));
    }
  }
  return 1;
}

/* Reads an input file; bf16 inputs come from f32 files. */
static int read_input(const named_file_t *nf, const anvil_tensor_info_t *info,
                      anvil_tensor_t *t) {
  npy_array_t a;
  char err[256];
  if (!npy_read(nf->file, &a, err, sizeof err)) {
    error("input '%s': %s: %s", info->name, nf->file, err);
    return 0;
  }
  if (info->dtype == ANVIL_DTYPE_BF16 && a.dtype == ANVIL_DTYPE_F32) {
    size_t n = a.byte_size / 4;
    uint16_t *b = malloc(n ? n * 2 : 1);
    if (!b) {
      free(a.data);
      error("out of memory");
      return 0;
    }
    for (size_t i = 0; i < n; ++i)
      b[i] = npy_float_to_bf16(((float *)a.data)[i]);
    free(a.data);
    a.data = b;
    a.byte_size = n * 2;
    a.dtype = ANVIL_DTYPE_BF16;
  }
  t->data = a.data;
  t->byte_size = a.byte_size;
  t->dtype = a.dtype;
  t->rank = a.rank;
  memcpy(t->dims, a.dims, sizeof t->dims);
  return 1;
}

static int prepare_inputs(const anvil_model_t *model, const options_t *o,
                          anvil_tensor_t *inputs, size_t num_inputs) {
  for (int i = 0; i < o->num_inputs; ++i) {
    named_file_t *nf = &o->inputs[i];
    if (!resolve(model, nf, 0, num_inputs))
      return 0;
    anvil_tensor_info_t info;
    if (failed(anvil_model_input_info(model, nf->index, &info)))
      return 0;
    if (inputs[nf->index].data) {
      error("input '%s' is given twice", info.name);
      return 0;
    }
    if (!read_input(nf, &info, &inputs[nf->index]))
      return 0;
  }
  for (size_t i = 0; i < num_inputs; ++i) {
    if (inputs[i].data)
      continue;
    anvil_tensor_info_t info;
    if (failed(anvil_model_input_info(model, i, &info)))
      return 0;
    if (!o->random_inputs) {
      error("missing input '%s' (give --input %s=FILE.npy, or "
            "--random-inputs)",
            info.name, info.name);
      return 0;
    }
    if (!random_input(&info, i, o, &inputs[i]))
      return 0;
  }
  return 1;
}

/*===--- Outputs ----------------------------------------------------------===*/

static uint64_t num_elems(const anvil_tensor_t *t) {
  uint64_t n = 1;
  for (int d = 0; d < t->rank; ++d)
    n *= (uint64_t)t->dims[d];
  return n;
}

static void format_shape(char *buf, size_t size, const int64_t *dims,
                         int rank) {
  size_t n = (size_t)snprintf(buf, size, "[");
  for (int d = 0; d < rank && n < size; ++d)
    n += (size_t)snprintf(buf + n, size - n, "%s%lld", d ? "," : "",
                          (long long)dims[d]);
  if (n < size)
    snprintf(buf + n, size - n, "]");
}

static void print_summary(const char *name, const anvil_tensor_t *t) {
  char shape[160];
  format_shape(shape, sizeof shape, t->dims, t->rank);
  uint64_t n = num_elems(t), nans = 0;
  double lo = INFINITY, hi = -INFINITY, sum = 0;
  for (uint64_t i = 0; i < n; ++i) {
    double v = npy_element(t->dtype, t->data, i);
    if (isnan(v)) {
      ++nans;
      continue;
    }
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
    sum += v;
  }
  printf("%s: %s %s", name, anvil_dtype_name(t->dtype), shape);
  if (n > nans) {
    double mean = sum / (double)(n - nans); /* inf - inf: a NaN, unsigned */
    printf(" min=%.6g max=%.6g mean=%.6g", lo, hi, isnan(mean) ? NAN : mean);
  } else if (n == 0)
    printf(" (empty)");
  if (nans)
    printf(" nan=%llu", (unsigned long long)nans);
  printf("\n");
}

/* DIR/<name>.npy, with characters unsafe in a file name replaced by '_'. */
static char *output_path(const char *dir, const char *name) {
  size_t len = strlen(dir) + strlen(name) + 6;
  char *path = malloc(len);
  if (!path)
    return NULL;
  int n = snprintf(path, len, "%s/", dir);
  for (const char *c = name; *c; ++c)
    path[n++] = (strchr("-_.", *c) || (*c >= 'a' && *c <= 'z') ||
                 (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9'))
                    ? *c
                    : '_';
  if (!strcmp(name, ".") || !strcmp(name, ".."))
    path[n - 1] = '_';
  strcpy(path + n, ".npy");
  return path;
}

static int make_dirs(const char *dir) {
  char *path = strdup(dir);
  if (!path)
    return 0;
  for (char *p = path + 1;; ++p) {
    if (*p != '/' && *p != '\0')
      continue;
    char saved = *p;
    *p = '\0';
    struct stat sb;
    if (stat(path, &sb) != 0 && mkdir(path, 0777) != 0 && errno != EEXIST) {
      error("cannot create output directory '%s': %s", path, strerror(errno));
      free(path);
      return 0;
    }
    *p = saved;
    if (!saved)
      break;
  }
  free(path);
  return 1;
}

static int write_output(const char *dir, const char *name,
                        const anvil_tensor_t *t) {
  char *path = output_path(dir, name);
  if (!path) {
    error("out of memory");
    return 0;
  }
  const void *data = t->data;
  anvil_dtype_t dtype = t->dtype;
  float *converted = NULL;
  if (dtype == ANVIL_DTYPE_BF16) { /* .npy has no bf16: widen to f32 */
    uint64_t n = num_elems(t);
    converted = malloc(n ? n * 4 : 1);
    if (!converted) {
      free(path);
      error("out of memory");
      return 0;
    }
    for (uint64_t i = 0; i < n; ++i)
      converted[i] = npy_bf16_to_float(((const uint16_t *)t->data)[i]);
    data = converted;
    dtype = ANVIL_DTYPE_F32;
  }
  char err[256];
  int ok = npy_write(path, dtype, t->rank, t->dims, data, err, sizeof err);
  if (!ok)
    error("cannot write output '%s' to %s: %s", name, path, err);
  free(converted);
  free(path);
  return ok;
}

/* Prints the comparison of output `t` with `ref`; returns 1 if it matches. */
static int compare(const char *name, const anvil_tensor_t *t,
                   const npy_array_t *ref, const named_file_t *nf,
                   const options_t *o) {
  char got[160], want[160];
  format_shape(got, sizeof got, t->dims, t->rank);
  format_shape(want, sizeof want, ref->dims, ref->rank);
  if (t->rank != ref->rank ||
      memcmp(t->dims, ref->dims, sizeof(int64_t) * (size_t)t->rank) != 0) {
    printf("compare %s: shape %s, reference %s: MISMATCH\n", name, got, want);
    error("output '%s' has shape %s, but the reference %s has %s", name, got,
          nf->file, want);
    return 0;
  }
  uint64_t n = num_elems(t), bad = 0, first_bad = 0;
  double max_abs = 0, max_rel = 0;
  for (uint64_t i = 0; i < n; ++i) {
    double a = npy_element(t->dtype, t->data, i);
    double b = npy_element(ref->dtype, ref->data, i);
    if (isnan(a) && isnan(b))
      continue;
    int ok;
    double diff = a == b ? 0 : fabs(a - b); /* equal infinities: 0 */
    if (isnan(diff) || (isinf(b) && a != b)) {
      /* An infinite reference matches only itself (as numpy's isclose):
         atol + rtol * inf would accept anything. */
      ok = 0;
      diff = INFINITY;
    } else {
      ok = diff <= o->atol + o->rtol * fabs(b);
    }
    if (diff > max_abs)
      max_abs = diff;
    if (b != 0 && diff / fabs(b) > max_rel)
      max_rel = diff / fabs(b);
    if (!ok && bad++ == 0)
      first_bad = i;
  }
  printf("compare %s: max abs error %.3g, max rel error %.3g: %s\n", name,
         max_abs, max_rel, bad ? "MISMATCH" : "ok");
  if (bad) {
    error("output '%s' does not match %s: %llu of %llu elements differ "
          "(first at flat index %llu: got %.9g, expected %.9g; rtol %g, "
          "atol %g)",
          name, nf->file, (unsigned long long)bad, (unsigned long long)n,
          (unsigned long long)first_bad,
          npy_element(t->dtype, t->data, first_bad),
          npy_element(ref->dtype, ref->data, first_bad), o->rtol, o->atol);
    return 0;
  }
  return 1;
}

/*===--- Running ----------------------------------------------------------===*/

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* "512 B", "1.5 KiB", "12.3 MiB", "1.2 GiB". */
static const char *human_bytes(char *buf, size_t size, uint64_t bytes) {
  static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) {
    snprintf(buf, size, "%llu B", (unsigned long long)bytes);
    return buf;
  }
  double v = (double)bytes / 1024;
  int u = 0;
  for (; v >= 1024 && u < 3; ++u)
    v /= 1024;
  snprintf(buf, size, "%.1f %s", v, units[u]);
  return buf;
}

/* Runs warmup + N timed runs into caller-owned outputs, so that allocation is
   not timed; leaves the last results in `outputs`. */
static int bench(anvil_session_t *session, const anvil_model_t *model,
                 const options_t *o, const anvil_tensor_t *inputs,
                 size_t num_inputs, anvil_tensor_t *outputs, size_t num_outputs,
                 char *report, size_t report_size) {
  if (failed(anvil_model_output_shapes(model, inputs, num_inputs, outputs,
                                       num_outputs)))
    return 0;
  for (size_t i = 0; i < num_outputs; ++i) {
    outputs[i].data = malloc(outputs[i].byte_size ? outputs[i].byte_size : 1);
    if (!outputs[i].data) {
      error("out of memory");
      return 0;
    }
  }
  double *times = malloc((size_t)o->bench * sizeof *times);
  if (!times) {
    error("out of memory");
    return 0;
  }
  const void *weights_data = NULL;
  size_t weights_size = 0;
  if (o->flush_weights &&
      failed(anvil_model_weights(model, &weights_data, &weights_size))) {
    free(times);
    return 0;
  }
  for (long i = 0; i < o->warmup + o->bench; ++i) {
    if (o->profile && i == o->warmup &&
        failed(anvil_session_set_profiling(session, 1))) {
      free(times);
      return 0;
    }
    if (o->flush_weights &&
        failed(anvil_evict_from_caches(weights_data, weights_size))) {
      free(times);
      return 0;
    }
    double start = now_ms();
    if (failed(anvil_session_run(session, inputs, num_inputs, outputs,
                                 num_outputs))) {
      free(times);
      return 0;
    }
    if (i >= o->warmup)
      times[i - o->warmup] = now_ms() - start;
  }
  qsort(times, (size_t)o->bench, sizeof *times, by_value);
  /* Nearest-rank percentiles. */
  long p50 = (o->bench + 1) / 2 - 1, p90 = (o->bench * 9 + 9) / 10 - 1;
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  int32_t threads = 0;
  anvil_status_free(anvil_session_num_threads(session, &threads));
  int n = snprintf(report, report_size,
                   "bench: %ld runs (%ld warmup), %d threads: p50 %.3f ms, "
                   "p90 %.3f ms, min %.3f ms; peak memory %.1f MiB%s\n",
                   o->bench, o->warmup, threads, times[p50], times[p90],
                   times[0], (double)ru.ru_maxrss / 1024.0,
                   o->flush_weights ? "; weights flushed before each run" : "");
  free(times);
  anvil_memory_info_t mem;
  if (failed(anvil_session_memory_info(session, &mem)))
    return 0;
  /* No intermediate tensors: an empty arena is as good as it gets. */
  double ratio =
      mem.arena_lower_bound_bytes
          ? (double)mem.arena_bytes / (double)mem.arena_lower_bound_bytes
          : 1.0;
  char arena[32], bound[32], weights[32];
  snprintf(report + n, report_size - (size_t)n,
           "memory: arena %llu bytes (%s), lower bound %llu bytes (%s), "
           "ratio %.3f, placement %s; weights %llu bytes (%s, mapped); peak "
           "RSS %ld KiB\n",
           (unsigned long long)mem.arena_bytes,
           human_bytes(arena, sizeof arena, mem.arena_bytes),
           (unsigned long long)mem.arena_lower_bound_bytes,
           human_bytes(bound, sizeof bound, mem.arena_lower_bound_bytes), ratio,
           mem.placement, (unsigned long long)mem.weights_bytes,
           human_bytes(weights, sizeof weights, mem.weights_bytes),
           (long)ru.ru_maxrss);
  return 1;
}

typedef struct kernel_time {
  const char *name;
  uint32_t kernel;
  long steps;
  uint64_t ns;
} kernel_time_t;

static int by_time(const void *a, const void *b) {
  const kernel_time_t *x = a, *y = b;
  if (x->ns != y->ns)
    return x->ns < y->ns ? 1 : -1;
  return strcmp(x->name, y->name);
}

/* --profile: each kernel's share of the timed runs (its steps summed). */
static int print_profile(anvil_session_t *session, long runs) {
  size_t num_steps = 0;
  if (failed(anvil_session_num_steps(session, &num_steps)))
    return 0;
  kernel_time_t *rows = calloc(num_steps + 1, sizeof *rows);
  if (!rows) {
    error("out of memory");
    return 0;
  }
  size_t num_rows = 0;
  uint64_t total = 0;
  for (size_t i = 0; i < num_steps; ++i) {
    anvil_step_profile_t p;
    if (failed(anvil_session_step_profile(session, i, &p))) {
      free(rows);
      return 0;
    }
    size_t r = 0;
    while (r < num_rows && rows[r].kernel != p.kernel)
      ++r;
    if (r == num_rows) {
      rows[r].name = p.name;
      rows[r].kernel = p.kernel;
      ++num_rows;
    }
    rows[r].steps += 1;
    rows[r].ns += p.total_ns;
    total += p.total_ns;
  }
  qsort(rows, num_rows, sizeof *rows, by_time);
  printf("profile: %zu steps, %zu kernels (copies as one), per run "
         "(mean of %ld):\n",
         num_steps, num_rows, runs);
  printf("  %-24s %5s %12s %7s\n", "kernel", "steps", "us/run", "share");
  for (size_t r = 0; r < num_rows; ++r)
    printf("  %-24s %5ld %12.1f %6.1f%%\n", rows[r].name, rows[r].steps,
           (double)rows[r].ns / 1e3 / (double)runs,
           total ? 100.0 * (double)rows[r].ns / (double)total : 0.0);
  printf("  %-24s %5zu %12.1f\n", "all steps", num_steps,
         (double)total / 1e3 / (double)runs);
  free(rows);
  return 1;
}

typedef struct state {
  options_t opts;
  anvil_model_t *model;
  anvil_session_t *session;
  anvil_tensor_t *inputs, *outputs;
  npy_array_t *refs;
  size_t num_inputs, num_outputs;
  int outputs_runtime_owned;
} state_t;

static void cleanup(state_t *s) {
  for (size_t i = 0; s->inputs && i < s->num_inputs; ++i)
    free(s->inputs[i].data);
  for (size_t i = 0; s->outputs && i < s->num_outputs; ++i) {
    if (s->outputs_runtime_owned)
      anvil_free(s->outputs[i].data);
    else
      free(s->outputs[i].data);
  }
  for (int i = 0; s->refs && i < s->opts.num_compares; ++i)
    free(s->refs[i].data);
  free(s->inputs);
  free(s->outputs);
  free(s->refs);
  free(s->opts.inputs);
  free(s->opts.compares);
  anvil_session_release(s->session);
  anvil_model_release(s->model);
}

static int run(state_t *s) {
  options_t *o = &s->opts;
  char bench_report[1024] = "";
  if (failed(anvil_model_load(o->model, &s->model)) ||
      failed(anvil_model_num_inputs(s->model, &s->num_inputs)) ||
      failed(anvil_model_num_outputs(s->model, &s->num_outputs)))
    return EXIT_ERROR;
  s->inputs = calloc(s->num_inputs + 1, sizeof *s->inputs);
  s->outputs = calloc(s->num_outputs + 1, sizeof *s->outputs);
  s->refs = calloc((size_t)o->num_compares + 1, sizeof *s->refs);
  if (!s->inputs || !s->outputs || !s->refs) {
    error("out of memory");
    return EXIT_ERROR;
  }
  /* Everything the user named is checked before the model runs. */
  for (int i = 0; i < o->num_compares; ++i) {
    named_file_t *nf = &o->compares[i];
    char err[256];
    if (!resolve(s->model, nf, 1, s->num_outputs))
      return EXIT_ERROR;
    if (!npy_read(nf->file, &s->refs[i], err, sizeof err)) {
      error("reference for output %zu: %s: %s", nf->index, nf->file, err);
      return EXIT_ERROR;
    }
  }
  if (!prepare_inputs(s->model, o, s->inputs, s->num_inputs))
    return EXIT_ERROR;
  anvil_session_options_t session_opts;
  anvil_session_options_init(&session_opts);
  session_opts.num_threads = o->threads;
  if (failed(anvil_session_create(s->model, &session_opts, &s->session)))
    return EXIT_ERROR;
  if (o->bench) {
    if (!bench(s->session, s->model, o, s->inputs, s->num_inputs, s->outputs,
               s->num_outputs, bench_report, sizeof bench_report))
      return EXIT_ERROR;
  } else {
    s->outputs_runtime_owned = 1;
    if (failed(anvil_session_run_alloc(s->session, s->inputs, s->num_inputs,
                                       s->outputs, s->num_outputs)))
      return EXIT_ERROR;
  }
  if (!make_dirs(o->output_dir))
    return EXIT_ERROR;
  for (size_t i = 0; i < s->num_outputs; ++i) {
    anvil_tensor_info_t info;
    if (failed(anvil_model_output_info(s->model, i, &info)))
      return EXIT_ERROR;
    print_summary(info.name, &s->outputs[i]);
    if (!write_output(o->output_dir, info.name, &s->outputs[i]))
      return EXIT_ERROR;
  }
  int status = 0;
  for (int i = 0; i < o->num_compares; ++i) {
    anvil_tensor_info_t info;
    if (failed(anvil_model_output_info(s->model, o->compares[i].index, &info)))
      return EXIT_ERROR;
    if (!compare(info.name, &s->outputs[o->compares[i].index], &s->refs[i],
                 &o->compares[i], o))
      status = EXIT_MISMATCH;
  }
  fputs(bench_report, stdout);
  if (o->profile && !print_profile(s->session, o->bench))
    return EXIT_ERROR;
  return status;
}

int main(int argc, char **argv) {
  state_t s;
  memset(&s, 0, sizeof s);
  int status = parse_args(argc, argv, &s.opts);
  if (status == 0)
    status = run(&s);
  else if (status < 0)
    status = 0; /* --help */
  cleanup(&s);
  fflush(stdout);
  return status;
}
