/*===- npy.c - Reading and writing NumPy .npy files
 *-------------------------===*
 *
 * The header is a Python dict literal such as
 *   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 64), }
 * parsed here by a small recursive-descent reader that accepts exactly that
 * shape of text (any whitespace, either quote, a trailing comma).
 *===----------------------------------------------------------------------===*/
#include "npy.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "\x93NUMPY"
#define MAGIC_LEN 6

static int fail(char *err, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, size, fmt, ap);
  va_end(ap);
  return 0;
}

/*===--- Element types ----------------------------------------------------===*/

static const struct {
  const char *code; /* descr without the byte-order character */
  anvil_dtype_t dtype;
} descr_table[] = {
    {"f4", ANVIL_DTYPE_F32}, {"f8", ANVIL_DTYPE_F64}, {"f2", ANVIL_DTYPE_F16},
    {"i1", ANVIL_DTYPE_I8},  {"i2", ANVIL_DTYPE_I16}, {"i4", ANVIL_DTYPE_I32},
    {"i8", ANVIL_DTYPE_I64}, {"u1", ANVIL_DTYPE_U8},  {"u2", ANVIL_DTYPE_U16},
    {"u4", ANVIL_DTYPE_U32}, {"u8", ANVIL_DTYPE_U64}, {"b1", ANVIL_DTYPE_BOOL},
};

static const char *descr_code(anvil_dtype_t dtype) {
  for (size_t i = 0; i < sizeof descr_table / sizeof descr_table[0]; ++i)
    if (descr_table[i].dtype == dtype)
      return descr_table[i].code;
  return NULL;
}

static int parse_descr(const char *descr, anvil_dtype_t *out, char *err,
                       size_t err_size) {
  char order = descr[0];
  if (order != '<' && order != '>' && order != '|' && order != '=')
    return fail(err, err_size, "unsupported dtype '%s'", descr);
  for (size_t i = 0; i < sizeof descr_table / sizeof descr_table[0]; ++i) {
    if (strcmp(descr + 1, descr_table[i].code) != 0)
      continue;
    if (order == '>' && anvil_dtype_size(descr_table[i].dtype) > 1)
      return fail(err, err_size,
                  "big-endian data ('%s') is not supported; save it "
                  "little-endian",
                  descr);
    *out = descr_table[i].dtype;
    return 1;
  }
  return fail(err, err_size,
              "unsupported dtype '%s' (supported: f2 f4 f8 i1 i2 i4 i8 u1 u2 "
              "u4 u8 b1)",
              descr);
}

float npy_half_to_float(uint16_t h) {
  uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1f,
           mant = h & 0x3ff, bits;
  if (exp == 0x1f) /* inf or NaN */
    bits = sign | 0x7f800000u | (mant << 13);
  else if (exp != 0) /* normal */
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  else if (mant == 0) /* zero */
    bits = sign;
  else { /* subnormal: normalize */
    int e = -1;
    do {
      ++e;
      mant <<= 1;
    } while (!(mant & 0x400));
    bits = sign | ((uint32_t)(112 - e) << 23) | ((mant & 0x3ff) << 13);
  }
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

uint16_t npy_float_to_half(float f) {
  uint32_t bits;
  memcpy(&bits, &f, sizeof bits);
  uint16_t sign = (uint16_t)((bits >> 16) & 0x8000);
  uint32_t exp = (bits >> 23) & 0xff, mant = bits & 0x7fffff;
  if (exp == 0xff) /* inf or NaN (keep NaN a NaN) */
    return sign | 0x7c00 | (mant ? 0x200 : 0);
  int e = (int)exp - 127 + 15;
  if (e >= 0x1f)
    return sign | 0x7c00; /* overflow: inf */
  if (e <= 0) {           /* subnormal or zero */
    if (e < -10)
      return sign;
    mant |= 0x800000;
    int shift = 14 - e;
    uint32_t half = mant >> shift, rem = mant & ((1u << shift) - 1),
             mid = 1u << (shift - 1);
    if (rem > mid || (rem == mid && (half & 1)))
      ++half;
    return sign | (uint16_t)half;
  }
  uint32_t half = ((uint32_t)e << 10) | (mant >> 13), rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem == 0x1000 && (half & 1)))
    ++half; /* may carry into the exponent, which is right */
  return sign | (uint16_t)half;
}

float npy_bf16_to_float(uint16_t b) {
  uint32_t bits = (uint32_t)b << 16;
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

uint16_t npy_float_to_bf16(float f) {
  uint32_t bits;
  memcpy(&bits, &f, sizeof bits);
  if ((bits & 0x7fffffffu) > 0x7f800000u)
    return (uint16_t)((bits >> 16) | 0x40); /* quiet NaN */
  bits += 0x7fff + ((bits >> 16) & 1);      /* round to nearest even */
  return (uint16_t)(bits >> 16);
}

double npy_element(anvil_dtype_t dtype, const void *data, size_t i) {
  switch (dtype) {
  case ANVIL_DTYPE_F32:
    return ((const float *)data)[i];
  case ANVIL_DTYPE_F64:
    return ((const double *)data)[i];
  case ANVIL_DTYPE_F16:
    return npy_half_to_float(((const uint16_t *)data)[i]);
  case ANVIL_DTYPE_BF16:
    return npy_bf16_to_float(((const uint16_t *)data)[i]);
  case ANVIL_DTYPE_I8:
    return ((const int8_t *)data)[i];
  case ANVIL_DTYPE_I16:
    return ((const int16_t *)data)[i];
  case ANVIL_DTYPE_I32:
    return ((const int32_t *)data)[i];
  case ANVIL_DTYPE_I64:
    return (double)((const int64_t *)data)[i];
  case ANVIL_DTYPE_U8:
  case ANVIL_DTYPE_BOOL:
    return ((const uint8_t *)data)[i];
  case ANVIL_DTYPE_U16:
    return ((const uint16_t *)data)[i];
  case ANVIL_DTYPE_U32:
    return ((const uint32_t *)data)[i];
  case ANVIL_DTYPE_U64:
    return (double)((const uint64_t *)data)[i];
  }
  return 0;
}

/*===--- Header parsing ---------------------------------------------------===*/

typedef struct cursor {
  const char *p, *end;
} cursor_t;

static void skip_ws(cursor_t *c) {
  while (c->p < c->end && isspace((unsigned char)*c->p))
    ++c->p;
}

static int eat(cursor_t *c, char ch) {
  skip_ws(c);
  if (c->p < c->end && *c->p == ch) {
    ++c->p;
    return 1;
  }
  return 0;
}

static int parse_string(cursor_t *c, char *out, size_t size) {
  skip_ws(c);
  if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
    return 0;
  char quote = *c->p++;
  size_t n = 0;
  while (c->p < c->end && *c->p != quote) {
    if (n + 1 >= size)
      return 0;
    out[n++] = *c->p++;
  }
  if (c->p >= c->end)
    return 0;
  ++c->p;
  out[n] = '\0';
  return 1;
}

static int parse_word(cursor_t *c, const char *word) {
  skip_ws(c);
  size_t n = strlen(word);
  if ((size_t)(c->end - c->p) < n || strncmp(c->p, word, n) != 0)
    return 0;
  c->p += n;
  return 1;
}

static int parse_shape(cursor_t *c, npy_array_t *a, char *err,
                       size_t err_size) {
  if (!eat(c, '('))
    return fail(err, err_size, "bad header: 'shape' is not a tuple");
  a->rank = 0;
  for (;;) {
    if (eat(c, ')'))
      return 1;
    skip_ws(c);
    if (c->p >= c->end || !isdigit((unsigned char)*c->p))
      return fail(err, err_size, "bad header: 'shape' holds a non-integer");
    int64_t v = 0;
    while (c->p < c->end && isdigit((unsigned char)*c->p)) {
      if (v > (INT64_MAX - 9) / 10)
        return fail(err, err_size, "bad header: a dimension is too large");
      v = v * 10 + (*c->p++ - '0');
    }
    if (c->p < c->end && *c->p == 'L') /* Python 2 long */
      ++c->p;
    if (a->rank == ANVIL_MAX_RANK)
      return fail(err, err_size, "rank exceeds the maximum %d", ANVIL_MAX_RANK);
    a->dims[a->rank++] = v;
    if (!eat(c, ',')) {
      if (eat(c, ')'))
        return 1;
      return fail(err, err_size, "bad header: malformed 'shape' tuple");
    }
  }
}

static int parse_header(const char *text, size_t len, npy_array_t *a, char *err,
                        size_t err_size) {
  cursor_t c = {text, text + len};
  int have_descr = 0, have_order = 0, have_shape = 0;
  if (!eat(&c, '{'))
    return fail(err, err_size, "bad header: not a dictionary");
  while (!eat(&c, '}')) {
    char key[32], value[32];
    if (!parse_string(&c, key, sizeof key) || !eat(&c, ':'))
      return fail(err, err_size, "bad header: expected a quoted key");
    if (strcmp(key, "descr") == 0) {
      if (!parse_string(&c, value, sizeof value))
        return fail(err, err_size,
                    "bad header: 'descr' is not a string "
                    "(structured dtypes are not supported)");
      if (!parse_descr(value, &a->dtype, err, err_size))
        return 0;
      have_descr = 1;
    } else if (strcmp(key, "fortran_order") == 0) {
      if (parse_word(&c, "True"))
        return fail(err, err_size,
                    "Fortran-order arrays are not supported; "
                    "save a C-order array");
      if (!parse_word(&c, "False"))
        return fail(err, err_size,
                    "bad header: 'fortran_order' is not a "
                    "boolean");
      have_order = 1;
    } else if (strcmp(key, "shape") == 0) {
      if (!parse_shape(&c, a, err, err_size))
        return 0;
      have_shape = 1;
    } else {
      return fail(err, err_size, "bad header: unexpected key '%s'", key);
    }
    if (!eat(&c, ',')) {
      if (eat(&c, '}'))
        break;
      return fail(err, err_size, "bad header: expected ',' or '}'");
    }
  }
  skip_ws(&c);
  if (c.p != c.end)
    return fail(err, err_size, "bad header: text after the dictionary");
  if (!have_descr || !have_order || !have_shape)
    return fail(err, err_size, "bad header: missing '%s'",
                !have_descr   ? "descr"
                : !have_order ? "fortran_order"
                              : "shape");
  return 1;
}

/*===--- Files ------------------------------------------------------------===*/

static int read_file(const char *path, uint8_t **out, size_t *size, char *err,
                     size_t err_size) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return fail(err, err_size, "%s", strerror(errno));
  size_t cap = 1 << 16, n = 0;
  uint8_t *buf = malloc(cap);
  while (buf) {
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap)
      break;
    uint8_t *bigger = realloc(buf, cap * 2);
    if (!bigger) {
      free(buf);
      buf = NULL;
      break;
    }
    buf = bigger;
    cap *= 2;
  }
  int bad = ferror(f);
  fclose(f);
  if (!buf)
    return fail(err, err_size, "out of memory");
  if (bad) {
    free(buf);
    return fail(err, err_size, "read error");
  }
  *out = buf;
  *size = n;
  return 1;
}

int npy_read(const char *path, npy_array_t *out, char *err, size_t err_size) {
  memset(out, 0, sizeof *out);
  uint8_t *file = NULL;
  size_t size = 0;
  if (!read_file(path, &file, &size, err, err_size))
    return 0;
  int ok = 0;
  size_t header_len = 0, prefix = 0;
  if (size < MAGIC_LEN + 2 || memcmp(file, MAGIC, MAGIC_LEN) != 0) {
    fail(err, err_size, "not a .npy file (bad magic)");
    goto done;
  }
  int major = file[6];
  if (major == 1) {
    prefix = 10;
    if (size >= prefix)
      header_len = file[8] | (size_t)file[9] << 8;
  } else if (major == 2 || major == 3) {
    prefix = 12;
    if (size >= prefix)
      header_len = file[8] | (size_t)file[9] << 8 | (size_t)file[10] << 16 |
                   (size_t)file[11] << 24;
  } else {
    fail(err, err_size, "unsupported .npy version %d.%d", major, file[7]);
    goto done;
  }
  if (size < prefix || size - prefix < header_len) {
    fail(err, err_size, "truncated header");
    goto done;
  }
  if (!parse_header((const char *)file + prefix, header_len, out, err,
                    err_size))
    goto done;
  uint64_t elems = 1, bytes;
  for (int d = 0; d < out->rank; ++d)
    if (__builtin_mul_overflow(elems, (uint64_t)out->dims[d], &elems)) {
      fail(err, err_size, "the shape is too large");
      goto done;
    }
  if (__builtin_mul_overflow(elems, anvil_dtype_size(out->dtype), &bytes)) {
    fail(err, err_size, "the shape is too large");
    goto done;
  }
  size_t data_size = size - prefix - header_len;
  if (data_size != bytes) {
    fail(err, err_size,
         data_size < bytes
             ? "truncated data: the shape needs %llu bytes, the file has %zu"
             : "the shape needs %llu bytes, but the file has %zu (trailing "
               "data)",
         (unsigned long long)bytes, data_size);
    goto done;
  }
  out->data = malloc(bytes ? bytes : 1);
  if (!out->data) {
    fail(err, err_size, "out of memory");
    goto done;
  }
  memcpy(out->data, file + prefix + header_len, bytes);
  out->byte_size = bytes;
  ok = 1;
done:
  free(file);
  return ok;
}

int npy_write(const char *path, anvil_dtype_t dtype, int rank,
              const int64_t *dims, const void *data, char *err,
              size_t err_size) {
  const char *code = descr_code(dtype);
  if (!code)
    return fail(err, err_size, "dtype %s has no .npy equivalent",
                anvil_dtype_name(dtype));
  char shape[256];
  size_t n = (size_t)snprintf(shape, sizeof shape, "(");
  for (int d = 0; d < rank; ++d)
    n += (size_t)snprintf(shape + n, sizeof shape - n, "%s%lld%s", d ? " " : "",
                          (long long)dims[d],
                          rank == 1 || d + 1 < rank ? "," : "");
  snprintf(shape + n, sizeof shape - n, ")");
  char header[512];
  int len = snprintf(header, sizeof header,
                     "{'descr': '%c%s', 'fortran_order': False, 'shape': %s, "
                     "}",
                     anvil_dtype_size(dtype) == 1 ? '|' : '<', code, shape);
  /* Pad with spaces and a newline so the data starts 64-byte aligned. */
  while ((10 + len + 1) % 64 != 0)
    header[len++] = ' ';
  header[len++] = '\n';
  uint64_t bytes = anvil_dtype_size(dtype);
  for (int d = 0; d < rank; ++d)
    bytes *= (uint64_t)dims[d];
  FILE *f = fopen(path, "wb");
  if (!f)
    return fail(err, err_size, "%s", strerror(errno));
  uint8_t prefix[10] = {0x93,
                        'N',
                        'U',
                        'M',
                        'P',
                        'Y',
                        1,
                        0,
                        (uint8_t)(len & 0xff),
                        (uint8_t)(len >> 8)};
  int ok = fwrite(prefix, 1, sizeof prefix, f) == sizeof prefix &&
           fwrite(header, 1, (size_t)len, f) == (size_t)len &&
           (bytes == 0 || fwrite(data, 1, bytes, f) == bytes);
  if (fclose(f) != 0)
    ok = 0;
  return ok ? 1 : fail(err, err_size, "write error: %s", strerror(errno));
}
