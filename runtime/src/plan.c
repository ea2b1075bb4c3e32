/*===- plan.c - Parsing and validating the execution plan
 *-------------------===*
 *
 * Everything in the blob is checked here, once, at load time: the runtime
 * indexes its arrays with the plan's numbers afterwards without checking
 * again. Sizes that depend on input shapes are checked at run time (see
 * session.c).
 *===----------------------------------------------------------------------===*/
#include "plan.h"

#include "status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEADER_SIZE 36
/* The smallest encodings, used to reject absurd counts before allocating. */
#define MIN_EXPR_SIZE 20   /* num_ops + one op */
#define MIN_BUFFER_SIZE 32 /* rank 0, not a VIEW */
#define MIN_IO_SIZE 8      /* empty name */
#define MIN_STEP_SIZE 12   /* COPY */
#define MAX_KERNELS (1u << 20)

typedef struct reader {
  const uint8_t *data;
  size_t size, pos;
} reader_t;

static int take(reader_t *r, size_t n, const uint8_t **out) {
  if (r->size - r->pos < n)
    return 0;
  *out = r->data + r->pos;
  r->pos += n;
  return 1;
}

static uint64_t load_le(const uint8_t *p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i)
    v = (v << 8) | p[i];
  return v;
}

/* Each read_* returns 0 when the plan ends too early. */
static int read_u8(reader_t *r, uint8_t *v) {
  const uint8_t *p;
  if (!take(r, 1, &p))
    return 0;
  *v = p[0];
  return 1;
}
static int read_u16(reader_t *r, uint16_t *v) {
  const uint8_t *p;
  if (!take(r, 2, &p))
    return 0;
  *v = (uint16_t)load_le(p, 2);
  return 1;
}
static int read_u32(reader_t *r, uint32_t *v) {
  const uint8_t *p;
  if (!take(r, 4, &p))
    return 0;
  *v = (uint32_t)load_le(p, 4);
  return 1;
}
static int read_u64(reader_t *r, uint64_t *v) {
  const uint8_t *p;
  if (!take(r, 8, &p))
    return 0;
  *v = load_le(p, 8);
  return 1;
}
static int read_i64(reader_t *r, int64_t *v) {
  uint64_t u;
  if (!read_u64(r, &u))
    return 0;
  memcpy(v, &u, sizeof u); /* two's complement reinterpretation */
  return 1;
}

/* A plan that breaks the contract of plan_format.h; `fmt` is a literal. */
#define invalid(fmt, ...)                                                      \
  anvil_make_status(ANVIL_STATUS_INVALID_ARTIFACT, "invalid plan: " fmt,       \
                    ##__VA_ARGS__)

static anvil_status_t truncated(const reader_t *r, const char *what,
                                uint32_t index) {
  return invalid("truncated in %s %u (the plan has %zu bytes)", what, index,
                 r->size);
}

static const char *opcode_name(uint32_t op) {
  static const char *names[] = {"CONST", "INPUT_DIM", "ADD",       "SUB",
                                "MUL",   "FLOORDIV",  "CEILDIV",   "MOD",
                                "MIN",   "MAX",       "SELECT_NEG"};
  return op < sizeof names / sizeof names[0] ? names[op] : "?";
}

/* Values an op pops; pushes are always one. */
static int opcode_pops(uint32_t op) {
  switch (op) {
  case ANVIL_EXPR_CONST:
  case ANVIL_EXPR_INPUT_DIM:
    return 0;
  case ANVIL_EXPR_SELECT_NEG:
    return 3;
  default:
    return 2;
  }
}

static const char *kind_name(uint8_t kind) {
  static const char *names[] = {"INPUT", "OUTPUT", "CONSTANT", "TEMP", "VIEW"};
  return kind < 5 ? names[kind] : "?";
}

/*===--- Sections ---------------------------------------------------------===*/

static anvil_status_t parse_exprs(reader_t *r, anvil_plan_t *p) {
  size_t cap = 0;
  for (uint32_t e = 0; e < p->num_exprs; ++e) {
    uint32_t num_ops;
    if (!read_u32(r, &num_ops))
      return truncated(r, "expression", e);
    if (num_ops == 0)
      return invalid("expression %u has no ops", e);
    if (num_ops > (r->size - r->pos) / 16)
      return truncated(r, "expression", e);
    if (p->num_ops + (size_t)num_ops > cap) {
      size_t new_cap = cap ? cap : 16;
      while (new_cap < p->num_ops + (size_t)num_ops)
        new_cap *= 2;
      anvil_expr_op_t *ops = realloc(p->ops, new_cap * sizeof *ops);
      if (!ops)
        return anvil_make_status(ANVIL_STATUS_RESOURCE_EXHAUSTED,
                                 "out of memory reading the plan");
      p->ops = ops;
      cap = new_cap;
    }
    p->exprs[e].first_op = p->num_ops;
    p->exprs[e].num_ops = num_ops;
    int depth = 0;
    for (uint32_t k = 0; k < num_ops; ++k) {
      anvil_expr_op_t *op = &p->ops[p->num_ops++];
      uint32_t reserved;
      if (!read_u32(r, &op->opcode) || !read_u32(r, &reserved) ||
          !read_i64(r, &op->operand))
        return truncated(r, "expression", e);
      if (op->opcode > ANVIL_EXPR_SELECT_NEG)
        return invalid("expression %u, op %u: bad opcode %u", e, k, op->opcode);
      int pops = opcode_pops(op->opcode);
      if (depth < pops)
        return invalid("expression %u, op %u (%s): stack underflow", e, k,
                       opcode_name(op->opcode));
      depth += 1 - pops;
      if (depth > ANVIL_PLAN_MAX_STACK)
        return invalid("expression %u, op %u: stack overflow (more than %d "
                       "values)",
                       e, k, ANVIL_PLAN_MAX_STACK);
    }
    if (depth != 1)
      return invalid("expression %u leaves %d values on the stack (expected 1)",
                     e, depth);
  }
  return NULL;
}

/* Checks that a size refers to an existing expression. */
static anvil_status_t check_size(const anvil_plan_t *p, int64_t size,
                                 uint32_t b, const char *what, int index) {
  if (size >= 0)
    return NULL;
  uint64_t e = (uint64_t)(-(size + 1));
  if (e < p->num_exprs)
    return NULL;
  if (index >= 0)
    return invalid("buffer %u: %s %d refers to expression %llu, but the plan "
                   "has %u",
                   b, what, index, (unsigned long long)e, p->num_exprs);
  return invalid("buffer %u: %s refers to expression %llu, but the plan has %u",
                 b, what, (unsigned long long)e, p->num_exprs);
}

static anvil_status_t check_constant(const anvil_plan_t *p, uint32_t b,
                                     uint64_t weights_size) {
  const anvil_plan_buffer_t *buf = &p->buffers[b];
  uint64_t elems = 1;
  for (int d = 0; d < buf->rank; ++d) {
    if (buf->dims[d] < 0)
      return invalid("buffer %u: constant dim %d is an expression", b, d);
    if (__builtin_mul_overflow(elems, (uint64_t)buf->dims[d], &elems))
      return invalid("buffer %u: constant size overflows", b);
  }
  uint64_t bytes;
  if (__builtin_mul_overflow(elems, anvil_dtype_size(buf->dtype), &bytes))
    return invalid("buffer %u: constant size overflows", b);
  if (bytes != buf->byte_size)
    return invalid("buffer %u: constant has %llu bytes, but its shape needs "
                   "%llu",
                   b, (unsigned long long)buf->byte_size,
                   (unsigned long long)bytes);
  if (buf->offset < 0)
    return invalid("buffer %u: constant offset is an expression", b);
  uint64_t end;
  if (__builtin_add_overflow((uint64_t)buf->offset, bytes, &end) ||
      end > weights_size)
    return invalid("buffer %u: constant bytes [%llu, %llu) lie outside the "
                   "weights (%llu bytes)",
                   b, (unsigned long long)buf->offset,
                   (unsigned long long)buf->offset + bytes,
                   (unsigned long long)weights_size);
  return NULL;
}

/* The kind-specific rules of one buffer (all earlier buffers are parsed). */
static anvil_status_t check_buffer(const anvil_plan_t *p, uint32_t b,
                                   uint64_t weights_size) {
  const anvil_plan_buffer_t *buf = &p->buffers[b];
  int has_offset =
      buf->kind == ANVIL_BUFFER_VIEW || buf->kind == ANVIL_BUFFER_CONSTANT;
  if (!has_offset && buf->offset != 0)
    return invalid("buffer %u (%s): offset must be 0, got %lld", b,
                   kind_name(buf->kind), (long long)buf->offset);
  if (buf->kind != ANVIL_BUFFER_CONSTANT && buf->byte_size != 0)
    return invalid("buffer %u (%s): byte_size must be 0, got %llu", b,
                   kind_name(buf->kind), (unsigned long long)buf->byte_size);
  switch (buf->kind) {
  case ANVIL_BUFFER_INPUT:
    if (buf->ref >= p->num_inputs)
      return invalid("buffer %u: input index %u out of range (%u inputs)", b,
                     buf->ref, p->num_inputs);
    return NULL;
  case ANVIL_BUFFER_OUTPUT:
    if (buf->ref >= p->num_outputs)
      return invalid("buffer %u: output index %u out of range (%u outputs)", b,
                     buf->ref, p->num_outputs);
    return NULL;
  case ANVIL_BUFFER_CONSTANT:
    if (buf->ref != 0)
      return invalid("buffer %u (CONSTANT): ref must be 0, got %u", b,
                     buf->ref);
    return check_constant(p, b, weights_size);
  case ANVIL_BUFFER_TEMP:
    if (buf->ref != 0)
      return invalid("buffer %u (TEMP): ref must be 0, got %u", b, buf->ref);
    if (buf->first_step > buf->last_step || buf->last_step >= p->num_steps)
      return invalid("buffer %u: live range [%u, %u] is not within the %u "
                     "steps",
                     b, buf->first_step, buf->last_step, p->num_steps);
    return NULL;
  case ANVIL_BUFFER_VIEW: {
    if (buf->ref >= b)
      return invalid("buffer %u: VIEW of buffer %u, which is not an earlier "
                     "buffer",
                     b, buf->ref);
    const anvil_plan_buffer_t *base = &p->buffers[buf->ref];
    if (base->dtype != buf->dtype)
      return invalid("buffer %u: VIEW of dtype %s over buffer %u of dtype %s",
                     b, anvil_dtype_name(buf->dtype), buf->ref,
                     anvil_dtype_name(base->dtype));
    ANVIL_RETURN_IF_ERROR(check_size(p, buf->offset, b, "offset", -1));
    for (int d = 0; d < buf->rank; ++d)
      ANVIL_RETURN_IF_ERROR(check_size(p, buf->strides[d], b, "stride", d));
    return NULL;
  }
  }
  return invalid("buffer %u: bad kind %u", b, buf->kind);
}

static anvil_status_t parse_buffers(reader_t *r, anvil_plan_t *p,
                                    uint64_t weights_size) {
  for (uint32_t b = 0; b < p->num_buffers; ++b) {
    anvil_plan_buffer_t *buf = &p->buffers[b];
    if (!read_u8(r, &buf->kind) || !read_u8(r, &buf->dtype) ||
        !read_u16(r, &buf->rank) || !read_u32(r, &buf->ref))
      return truncated(r, "buffer", b);
    if (buf->kind > ANVIL_BUFFER_VIEW)
      return invalid("buffer %u: bad kind %u", b, buf->kind);
    if (anvil_dtype_size((anvil_dtype_t)buf->dtype) == 0)
      return invalid("buffer %u: bad dtype %u", b, buf->dtype);
    if (buf->rank > ANVIL_PLAN_MAX_RANK)
      return invalid("buffer %u: rank %u exceeds the maximum %d", b, buf->rank,
                     ANVIL_PLAN_MAX_RANK);
    for (int d = 0; d < buf->rank; ++d)
      if (!read_i64(r, &buf->dims[d]))
        return truncated(r, "buffer", b);
    if (buf->kind == ANVIL_BUFFER_VIEW)
      for (int d = 0; d < buf->rank; ++d)
        if (!read_i64(r, &buf->strides[d]))
          return truncated(r, "buffer", b);
    if (!read_i64(r, &buf->offset) || !read_u64(r, &buf->byte_size) ||
        !read_u32(r, &buf->first_step) || !read_u32(r, &buf->last_step))
      return truncated(r, "buffer", b);
    for (int d = 0; d < buf->rank; ++d)
      ANVIL_RETURN_IF_ERROR(check_size(p, buf->dims[d], b, "dim", d));
    ANVIL_RETURN_IF_ERROR(check_buffer(p, b, weights_size));
    buf->root = buf->kind == ANVIL_BUFFER_VIEW ? p->buffers[buf->ref].root : b;
  }
  return NULL;
}

static anvil_status_t parse_io(reader_t *r, anvil_plan_t *p, int is_input) {
  const char *what = is_input ? "input" : "output";
  uint32_t count = is_input ? p->num_inputs : p->num_outputs;
  anvil_plan_io_t *list = is_input ? p->inputs : p->outputs;
  uint8_t kind = is_input ? ANVIL_BUFFER_INPUT : ANVIL_BUFFER_OUTPUT;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t name_len;
    const uint8_t *name;
    if (!read_u32(r, &list[i].buffer) || !read_u32(r, &name_len) ||
        !take(r, name_len, &name))
      return truncated(r, what, i);
    if (list[i].buffer >= p->num_buffers)
      return invalid("%s %u: buffer %u out of range (%u buffers)", what, i,
                     list[i].buffer, p->num_buffers);
    const anvil_plan_buffer_t *buf = &p->buffers[list[i].buffer];
    if (buf->kind != kind || buf->ref != i)
      return invalid("%s %u: buffer %u is not %s buffer %u", what, i,
                     list[i].buffer, kind_name(kind), i);
    if (name_len == 0 || memchr(name, '\0', name_len))
      return invalid("%s %u: the name is empty or contains a NUL byte", what,
                     i);
    list[i].name = malloc((size_t)name_len + 1);
    if (!list[i].name)
      return anvil_make_status(ANVIL_STATUS_RESOURCE_EXHAUSTED,
                               "out of memory reading the plan");
    memcpy(list[i].name, name, name_len);
    list[i].name[name_len] = '\0';
    for (uint32_t j = 0; j < i; ++j)
      if (strcmp(list[j].name, list[i].name) == 0)
        return invalid("%ss %u and %u are both called '%s'", what, j, i,
                       list[i].name);
  }
  return NULL;
}

/* Rules that need the whole buffer and I/O tables. */
static anvil_status_t check_io_links(const anvil_plan_t *p) {
  for (uint32_t b = 0; b < p->num_buffers; ++b) {
    const anvil_plan_buffer_t *buf = &p->buffers[b];
    /* Exactly one buffer per input/output: a second buffer claiming the same
       input could have another shape than the caller's data. */
    if (buf->kind == ANVIL_BUFFER_INPUT && p->inputs[buf->ref].buffer != b)
      return invalid("buffer %u claims input %u, which is buffer %u", b,
                     buf->ref, p->inputs[buf->ref].buffer);
    if (buf->kind == ANVIL_BUFFER_OUTPUT && p->outputs[buf->ref].buffer != b)
      return invalid("buffer %u claims output %u, which is buffer %u", b,
                     buf->ref, p->outputs[buf->ref].buffer);
  }
  for (uint32_t e = 0; e < p->num_exprs; ++e) {
    const anvil_expr_t *ex = &p->exprs[e];
    for (uint32_t k = 0; k < ex->num_ops; ++k) {
      const anvil_expr_op_t *op = &p->ops[ex->first_op + k];
      if (op->opcode != ANVIL_EXPR_INPUT_DIM)
        continue;
      int64_t input = op->operand >> 16, dim = op->operand & 0xffff;
      if (op->operand < 0 || input >= p->num_inputs)
        return invalid("expression %u, op %u: INPUT_DIM of input %lld, but "
                       "the plan has %u inputs",
                       e, k, (long long)input, p->num_inputs);
      uint32_t rank = p->buffers[p->inputs[input].buffer].rank;
      if (dim >= rank)
        return invalid("expression %u, op %u: INPUT_DIM of dim %lld of input "
                       "%lld, which has rank %u",
                       e, k, (long long)dim, (long long)input, rank);
    }
  }
  return NULL;
}

/* A step may only touch a TEMP buffer (directly or through a VIEW) within
   the buffer's live range: the arena reuses its bytes outside it. */
static anvil_status_t check_live(const anvil_plan_t *p, uint32_t s,
                                 uint32_t b) {
  const anvil_plan_buffer_t *root = &p->buffers[p->buffers[b].root];
  if (root->kind != ANVIL_BUFFER_TEMP ||
      (s >= root->first_step && s <= root->last_step))
    return NULL;
  if (p->buffers[b].root == b)
    return invalid("step %u uses TEMP buffer %u outside its live range "
                   "[%u, %u]",
                   s, b, root->first_step, root->last_step);
  return invalid("step %u uses buffer %u, a VIEW of TEMP buffer %u, outside "
                 "that buffer's live range [%u, %u]",
                 s, b, p->buffers[b].root, root->first_step, root->last_step);
}

static int is_static(const anvil_plan_buffer_t *buf, uint64_t *elems) {
  *elems = 1;
  for (int d = 0; d < buf->rank; ++d)
    if (buf->dims[d] < 0 ||
        __builtin_mul_overflow(*elems, (uint64_t)buf->dims[d], elems))
      return 0;
  return 1;
}

static anvil_status_t parse_copy(reader_t *r, anvil_plan_t *p, uint32_t s) {
  anvil_plan_step_t *st = &p->steps[s];
  if (!read_u32(r, &st->src) || !read_u32(r, &st->dst))
    return truncated(r, "step", s);
  if (st->src >= p->num_buffers || st->dst >= p->num_buffers)
    return invalid("step %u: COPY %u -> %u, but the plan has %u buffers", s,
                   st->src, st->dst, p->num_buffers);
  const anvil_plan_buffer_t *src = &p->buffers[st->src];
  const anvil_plan_buffer_t *dst = &p->buffers[st->dst];
  /* A copy moves bytes: ONNX's BitCast and int8 <-> uint8 identities copy
     between element types of one size. */
  if (anvil_dtype_size(src->dtype) != anvil_dtype_size(dst->dtype))
    return invalid("step %u: COPY from %s to %s", s,
                   anvil_dtype_name(src->dtype), anvil_dtype_name(dst->dtype));
  uint8_t dst_root = p->buffers[dst->root].kind;
  if (dst_root == ANVIL_BUFFER_INPUT || dst_root == ANVIL_BUFFER_CONSTANT)
    return invalid("step %u: COPY writes into %s buffer %u", s,
                   kind_name(dst_root), dst->root);
  uint64_t n_src, n_dst;
  if (is_static(src, &n_src) && is_static(dst, &n_dst) && n_src != n_dst)
    return invalid("step %u: COPY of %llu elements into %llu", s,
                   (unsigned long long)n_src, (unsigned long long)n_dst);
  ANVIL_RETURN_IF_ERROR(check_live(p, s, st->src));
  return check_live(p, s, st->dst);
}

static anvil_status_t parse_kernel_step(reader_t *r, anvil_plan_t *p,
                                        uint32_t s, size_t *args_cap) {
  anvil_plan_step_t *st = &p->steps[s];
  if (!read_u32(r, &st->kernel) || !read_u32(r, &st->grid_kind) ||
      !read_i64(r, &st->grid_extent) || !read_u32(r, &st->num_args))
    return truncated(r, "step", s);
  if (st->kernel >= p->num_kernels)
    return invalid("step %u: kernel %u out of range (%u kernels)", s,
                   st->kernel, p->num_kernels);
  if (st->grid_kind > 1)
    return invalid("step %u: bad grid_kind %u", s, st->grid_kind);
  if (st->grid_extent < 0 && (uint64_t)(-(st->grid_extent + 1)) >= p->num_exprs)
    return invalid("step %u: grid extent refers to expression %llu, but the "
                   "plan has %u",
                   s, (unsigned long long)(-(st->grid_extent + 1)),
                   p->num_exprs);
  if (st->num_args > (r->size - r->pos) / 4)
    return truncated(r, "step", s);
  if (p->num_args + (size_t)st->num_args > *args_cap) {
    size_t cap = *args_cap ? *args_cap : 64;
    while (cap < p->num_args + (size_t)st->num_args)
      cap *= 2;
    uint32_t *args = realloc(p->args, cap * sizeof *args);
    if (!args)
      return anvil_make_status(ANVIL_STATUS_RESOURCE_EXHAUSTED,
                               "out of memory reading the plan");
    p->args = args;
    *args_cap = cap;
  }
  st->first_arg = p->num_args;
  for (uint32_t a = 0; a < st->num_args; ++a) {
    uint32_t *arg = &p->args[p->num_args++];
    if (!read_u32(r, arg))
      return truncated(r, "step", s);
    if (*arg >= p->num_buffers)
      return invalid("step %u: argument %u is buffer %u, but the plan has %u "
                     "buffers",
                     s, a, *arg, p->num_buffers);
    ANVIL_RETURN_IF_ERROR(check_live(p, s, *arg));
  }
  return NULL;
}

static anvil_status_t parse_steps(reader_t *r, anvil_plan_t *p) {
  size_t args_cap = 0;
  for (uint32_t s = 0; s < p->num_steps; ++s) {
    if (!read_u32(r, &p->steps[s].kind))
      return truncated(r, "step", s);
    if (p->steps[s].kind == ANVIL_STEP_KERNEL)
      ANVIL_RETURN_IF_ERROR(parse_kernel_step(r, p, s, &args_cap));
    else if (p->steps[s].kind == ANVIL_STEP_COPY)
      ANVIL_RETURN_IF_ERROR(parse_copy(r, p, s));
    else
      return invalid("step %u: bad step kind %u", s, p->steps[s].kind);
  }
  return NULL;
}

/*===--- Entry points -----------------------------------------------------===*/

static anvil_status_t parse(reader_t *r, uint64_t weights_size,
                            anvil_plan_t *p) {
  const uint8_t *magic;
  if (r->size < HEADER_SIZE)
    return invalid("truncated: %zu bytes, the header alone needs %d", r->size,
                   HEADER_SIZE);
  take(r, 8, &magic);
  if (memcmp(magic, ANVIL_PLAN_MAGIC, 8) != 0) {
    char shown[9];
    for (int i = 0; i < 8; ++i)
      shown[i] = magic[i] >= 0x20 && magic[i] < 0x7f ? (char)magic[i] : '?';
    shown[8] = '\0';
    return invalid("bad magic \"%s\" (expected \"%s\")", shown,
                   ANVIL_PLAN_MAGIC);
  }
  uint32_t version;
  read_u32(r, &version);
  if (version != ANVIL_PLAN_VERSION)
    return invalid("unsupported version %u (this runtime reads version %u)",
                   version, ANVIL_PLAN_VERSION);
  read_u32(r, &p->num_exprs);
  read_u32(r, &p->num_buffers);
  read_u32(r, &p->num_inputs);
  read_u32(r, &p->num_outputs);
  read_u32(r, &p->num_steps);
  read_u32(r, &p->num_kernels);
  uint64_t need = (uint64_t)p->num_exprs * MIN_EXPR_SIZE +
                  (uint64_t)p->num_buffers * MIN_BUFFER_SIZE +
                  ((uint64_t)p->num_inputs + p->num_outputs) * MIN_IO_SIZE +
                  (uint64_t)p->num_steps * MIN_STEP_SIZE;
  if (need > r->size - r->pos)
    return invalid("truncated: the header declares %u expressions, %u "
                   "buffers, %u inputs, %u outputs and %u steps, which need "
                   "at least %llu bytes, but only %zu follow",
                   p->num_exprs, p->num_buffers, p->num_inputs, p->num_outputs,
                   p->num_steps, (unsigned long long)need, r->size - r->pos);
  if (p->num_kernels > MAX_KERNELS)
    return invalid("%u kernels exceed the limit of %u", p->num_kernels,
                   MAX_KERNELS);
  /* calloc(0, ...) may return NULL; allocate at least one element. */
  p->exprs = calloc(p->num_exprs + 1, sizeof *p->exprs);
  p->buffers = calloc(p->num_buffers + 1, sizeof *p->buffers);
  p->inputs = calloc(p->num_inputs + 1, sizeof *p->inputs);
  p->outputs = calloc(p->num_outputs + 1, sizeof *p->outputs);
  p->steps = calloc(p->num_steps + 1, sizeof *p->steps);
  if (!p->exprs || !p->buffers || !p->inputs || !p->outputs || !p->steps)
    return anvil_make_status(ANVIL_STATUS_RESOURCE_EXHAUSTED,
                             "out of memory reading the plan");
  ANVIL_RETURN_IF_ERROR(parse_exprs(r, p));
  ANVIL_RETURN_IF_ERROR(parse_buffers(r, p, weights_size));
  ANVIL_RETURN_IF_ERROR(parse_io(r, p, 1));
  ANVIL_RETURN_IF_ERROR(parse_io(r, p, 0));
  ANVIL_RETURN_IF_ERROR(check_io_links(p));
  ANVIL_RETURN_IF_ERROR(parse_steps(r, p));
  if (r->pos != r->size)
    return invalid("%zu unexpected bytes after the last step",
                   r->size - r->pos);
  return NULL;
}

anvil_status_t anvil_plan_parse(const uint8_t *data, size_t size,
                                uint64_t weights_size, anvil_plan_t *out) {
  memset(out, 0, sizeof *out);
  reader_t r = {data, size, 0};
  anvil_status_t st = parse(&r, weights_size, out);
  if (st)
    anvil_plan_destroy(out);
  return st;
}

void anvil_plan_destroy(anvil_plan_t *plan) {
  if (plan->inputs)
    for (uint32_t i = 0; i < plan->num_inputs; ++i)
      free(plan->inputs[i].name);
  if (plan->outputs)
    for (uint32_t i = 0; i < plan->num_outputs; ++i)
      free(plan->outputs[i].name);
  free(plan->exprs);
  free(plan->ops);
  free(plan->buffers);
  free(plan->inputs);
  free(plan->outputs);
  free(plan->steps);
  free(plan->args);
  memset(plan, 0, sizeof *plan);
}

int anvil_plan_is_free_dim(const anvil_plan_t *plan, int64_t size,
                           uint32_t input, uint32_t dim) {
  if (size >= 0)
    return 0;
  const anvil_expr_t *e = &plan->exprs[-(size + 1)];
  const anvil_expr_op_t *op = &plan->ops[e->first_op];
  return e->num_ops == 1 && op->opcode == ANVIL_EXPR_INPUT_DIM &&
         op->operand == (((int64_t)input << 16) | dim);
}

/*===--- Evaluation -------------------------------------------------------===*/

static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if (a % b != 0 && ((a < 0) != (b < 0)))
    --q;
  return q;
}

/* Applies a binary op; returns 0 on division by zero or overflow. */
static int apply(uint32_t op, int64_t a, int64_t b, int64_t *out) {
  switch (op) {
  case ANVIL_EXPR_ADD:
    return !__builtin_add_overflow(a, b, out);
  case ANVIL_EXPR_SUB:
    return !__builtin_sub_overflow(a, b, out);
  case ANVIL_EXPR_MUL:
    return !__builtin_mul_overflow(a, b, out);
  case ANVIL_EXPR_MIN:
    *out = a < b ? a : b;
    return 1;
  case ANVIL_EXPR_MAX:
    *out = a > b ? a : b;
    return 1;
  default:
    break;
  }
  if (b == 0)
    return 0;
  if (b == -1) { /* INT64_MIN / -1 traps; a / -1 == -a exactly. */
    if (op == ANVIL_EXPR_MOD) {
      *out = 0;
      return 1;
    }
    return !__builtin_sub_overflow((int64_t)0, a, out);
  }
  switch (op) {
  case ANVIL_EXPR_FLOORDIV:
    *out = floor_div(a, b);
    return 1;
  case ANVIL_EXPR_CEILDIV: {
    int64_t q = a / b; /* |b| >= 2: cannot overflow, nor can q + 1 */
    *out = (a % b != 0 && ((a < 0) == (b < 0))) ? q + 1 : q;
    return 1;
  }
  case ANVIL_EXPR_MOD: {
    int64_t r = a % b;
    if (r != 0 && ((r < 0) != (b < 0)))
      r += b;
    *out = r;
    return 1;
  }
  }
  return 0;
}

anvil_status_t anvil_plan_eval_exprs(const anvil_plan_t *plan,
                                     const int64_t *input_dims,
                                     int64_t *values) {
  int64_t stack[ANVIL_PLAN_MAX_STACK];
  for (uint32_t e = 0; e < plan->num_exprs; ++e) {
    const anvil_expr_t *ex = &plan->exprs[e];
    int depth = 0; /* validated at load: never under/overflows, ends at 1 */
    for (uint32_t k = 0; k < ex->num_ops; ++k) {
      const anvil_expr_op_t *op = &plan->ops[ex->first_op + k];
      switch (op->opcode) {
      case ANVIL_EXPR_CONST:
        stack[depth++] = op->operand;
        break;
      case ANVIL_EXPR_INPUT_DIM:
        stack[depth++] = input_dims[(op->operand >> 16) * ANVIL_PLAN_MAX_RANK +
                                    (op->operand & 0xffff)];
        break;
      case ANVIL_EXPR_SELECT_NEG: {
        int64_t c = stack[--depth], b = stack[--depth], a = stack[--depth];
        stack[depth++] = a < 0 ? b : c;
        break;
      }
      default: {
        int64_t b = stack[--depth], a = stack[--depth];
        if (!apply(op->opcode, a, b, &stack[depth]))
          return anvil_make_status(
              ANVIL_STATUS_OUT_OF_RANGE,
              "size expression %u: %s of %lld and %lld %s", e,
              opcode_name(op->opcode), (long long)a, (long long)b,
              b == 0 && op->opcode >= ANVIL_EXPR_FLOORDIV &&
                      op->opcode <= ANVIL_EXPR_MOD
                  ? "divides by zero"
                  : "overflows");
        ++depth;
      }
      }
    }
    values[e] = stack[0];
  }
  return NULL;
}
