/*===- model.c - Loading an artifact and answering questions about it ------===*
 *
 * Loading runs in two halves. First the file is inspected without executing
 * anything from it: it must be an ELF shared object for this machine, whole
 * (every segment inside the file, so that dlopen cannot fault on a short
 * file), and contain the plan magic. Only then is it dlopen'ed, which runs
 * its constructors, and its plan, weights and kernels are looked up and
 * validated.
 *===----------------------------------------------------------------------===*/
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include "model.h"

#include "status.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#elif defined(__riscv)
#define HOST_MACHINE EM_RISCV
#elif defined(__powerpc64__)
#define HOST_MACHINE EM_PPC64
#else
#error "unknown host machine: add its ELF e_machine here"
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_ELF_DATA ELFDATA2LSB
#else
#define HOST_ELF_DATA ELFDATA2MSB
#endif

#define HOST_ELF_CLASS (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32)

static const char *machine_name(unsigned machine) {
  switch (machine) {
  case EM_X86_64:
    return "x86-64";
  case EM_386:
    return "i386";
  case EM_AARCH64:
    return "AArch64";
  case EM_ARM:
    return "ARM";
  case EM_RISCV:
    return "RISC-V";
  case EM_PPC64:
    return "PowerPC64";
  default:
    return "another machine";
  }
}

/*===--- Before dlopen ----------------------------------------------------===*/

/* A file that is not (or not entirely) an Anvil artifact. */
#define not_artifact(...)                                                      \
  anvil_make_status(ANVIL_STATUS_INVALID_ARTIFACT, __VA_ARGS__)

/* Checks the ELF header and that every segment and the section table lie
   inside the file. */
static anvil_status_t check_elf(const uint8_t *map, size_t size) {
  if (size < SELFMAG || memcmp(map, ELFMAG, SELFMAG) != 0)
    return not_artifact("not an ELF file");
  if (size < sizeof(ElfW(Ehdr)))
    return not_artifact("truncated ELF file (%zu bytes)", size);
  const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)map;
  if (eh->e_ident[EI_CLASS] != HOST_ELF_CLASS)
    return not_artifact("ELF class %d does not match this %d-bit machine",
                        eh->e_ident[EI_CLASS], (int)sizeof(void *) * 8);
  if (eh->e_ident[EI_DATA] != HOST_ELF_DATA)
    return not_artifact("ELF byte order does not match this machine");
  if (eh->e_type != ET_DYN)
    return not_artifact("not a shared object (ELF type %u)", eh->e_type);
  if (eh->e_machine != HOST_MACHINE)
    return not_artifact("built for %s (ELF machine %u), but this is %s",
                        machine_name(eh->e_machine), eh->e_machine,
                        machine_name(HOST_MACHINE));
  if (eh->e_phentsize != sizeof(ElfW(Phdr)) || eh->e_phoff > size ||
      (size - eh->e_phoff) / sizeof(ElfW(Phdr)) < eh->e_phnum)
    return not_artifact("truncated or corrupt ELF program headers");
  /* The program headers may be unaligned in a corrupt file: copy them. */
  for (unsigned i = 0; i < eh->e_phnum; ++i) {
    ElfW(Phdr) ph;
    memcpy(&ph, map + eh->e_phoff + i * sizeof ph, sizeof ph);
    if (ph.p_type == PT_LOAD &&
        (ph.p_offset > size || size - ph.p_offset < ph.p_filesz))
      return not_artifact(
          "truncated ELF file: segment %u needs %llu bytes, "
          "the file has %zu",
          i, (unsigned long long)ph.p_offset + (unsigned long long)ph.p_filesz,
          size);
  }
  if (eh->e_shoff != 0) {
    uint64_t end = (uint64_t)eh->e_shoff +
                   (uint64_t)eh->e_shnum * (uint64_t)eh->e_shentsize;
    if (end > size)
      return not_artifact("truncated ELF file: the section headers end at byte "
                          "%llu, the file has %zu",
                          (unsigned long long)end, size);
  }
  if (!memmem(map, size, ANVIL_PLAN_MAGIC, strlen(ANVIL_PLAN_MAGIC)))
    return not_artifact("not an Anvil artifact (no Anvil plan inside)");
  return NULL;
}

static anvil_status_t inspect_file(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return anvil_make_status(errno == ENOENT ? ANVIL_STATUS_NOT_FOUND
                                             : ANVIL_STATUS_IO_ERROR,
                             "%s", strerror(errno));
  struct stat sb;
  if (fstat(fd, &sb) != 0) {
    int err = errno;
    close(fd);
    return anvil_make_status(ANVIL_STATUS_IO_ERROR, "%s", strerror(err));
  }
  if (!S_ISREG(sb.st_mode)) {
    close(fd);
    return not_artifact("not a regular file");
  }
  size_t size = (size_t)sb.st_size;
  if (size == 0) {
    close(fd);
    return not_artifact("not an ELF file (the file is empty)");
  }
  void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
  int err = errno;
  close(fd);
  if (map == MAP_FAILED)
    return anvil_make_status(ANVIL_STATUS_IO_ERROR, "cannot map the file: %s",
                             strerror(err));
  anvil_status_t st = check_elf(map, size);
  munmap(map, size);
  return st;
}

/*===--- After dlopen -----------------------------------------------------===*/

static void *find_symbol(void *handle, const char *name) {
  dlerror(); /* clear */
  void *sym = dlsym(handle, name);
  return dlerror() ? NULL : sym;
}

static anvil_status_t find_blobs(anvil_model_t *m, const uint8_t **plan,
                                 size_t *plan_size) {
  const uint8_t *begin = find_symbol(m->handle, "anvil_plan_begin");
  const uint8_t *end = find_symbol(m->handle, "anvil_plan_end");
  if (!begin)
    return not_artifact("not an Anvil artifact (no anvil_plan_begin symbol)");
  if (!end || end < begin)
    return not_artifact("anvil_plan_end is missing or precedes "
                        "anvil_plan_begin");
  *plan = begin;
  *plan_size = (size_t)(end - begin);
  uint8_t *wbegin = find_symbol(m->handle, "anvil_weights_begin");
  uint8_t *wend = find_symbol(m->handle, "anvil_weights_end");
  if (!wbegin && !wend)
    return NULL; /* no weights; any CONSTANT buffer fails validation */
  if (!wbegin || !wend || wend < wbegin)
    return not_artifact("anvil_weights_begin/anvil_weights_end are missing or "
                        "out of order");
  m->weights = wbegin;
  m->weights_size = (uint64_t)(wend - wbegin);
  if (m->weights_size && (uintptr_t)wbegin % 64 != 0)
    return not_artifact("the weights are not 64-byte aligned");
  return NULL;
}

static anvil_status_t find_kernels(anvil_model_t *m) {
  m->kernels = calloc(m->plan.num_kernels + 1, sizeof *m->kernels);
  if (!m->kernels)
    return anvil_make_status(ANVIL_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  for (uint32_t k = 0; k < m->plan.num_kernels; ++k) {
    char name[32];
    snprintf(name, sizeof name, "anvil_kernel_%u", k);
    void *sym = find_symbol(m->handle, name);
    if (!sym)
      return not_artifact("kernel %u: the artifact has no symbol %s", k, name);
    /* POSIX guarantees that a dlsym result converts to a function pointer. */
    memcpy(&m->kernels[k], &sym, sizeof sym);
  }
  return NULL;
}

/* Names of the kernels, for profiles: the artifact's optional
   anvil_kernel_names_begin/end section holds plan.num_kernels NUL-terminated
   names. One that is missing or malformed (an artifact built before the
   section existed) gives "kernel#K" names. */
static anvil_status_t find_kernel_names(anvil_model_t *m) {
  uint32_t n = m->plan.num_kernels;
  const char *begin = find_symbol(m->handle, "anvil_kernel_names_begin");
  const char *end = find_symbol(m->handle, "anvil_kernel_names_end");
  size_t text = 0;
  int recorded = begin && end && end > begin;
  if (recorded) {
    uint32_t names = 0;
    for (const char *c = begin; c < end; ++c)
      names += *c == '\0';
    recorded = names == n && end[-1] == '\0';
    text = (size_t)(end - begin);
  }
  if (!recorded)
    text = (size_t)n * 20;
  m->kernel_names = malloc((n + 1) * sizeof(char *) + text + 1);
  if (!m->kernel_names)
    return anvil_make_status(ANVIL_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  char *at = (char *)(m->kernel_names + n + 1);
  if (recorded)
    memcpy(at, begin, text);
  for (uint32_t k = 0; k < n; ++k) {
    if (!recorded)
      snprintf(at, 20, "kernel#%u", k);
    m->kernel_names[k] = at;
    at += strlen(at) + 1;
  }
  m->kernel_names[n] = NULL;
  return NULL;
}

static anvil_status_t build_info(anvil_model_t *m) {
  const anvil_plan_t *p = &m->plan;
  m->input_info = calloc(p->num_inputs + 1, sizeof *m->input_info);
  m->output_info = calloc(p->num_outputs + 1, sizeof *m->output_info);
  if (!m->input_info || !m->output_info)
    return anvil_make_status(ANVIL_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  for (int out = 0; out < 2; ++out) {
    uint32_t count = out ? p->num_outputs : p->num_inputs;
    for (uint32_t i = 0; i < count; ++i) {
      const anvil_plan_io_t *io = out ? &p->outputs[i] : &p->inputs[i];
      anvil_tensor_info_t *info = out ? &m->output_info[i] : &m->input_info[i];
      const anvil_plan_buffer_t *buf = &p->buffers[io->buffer];
      info->name = io->name;
      info->dtype = (anvil_dtype_t)buf->dtype;
      info->rank = buf->rank;
      for (int d = 0; d < buf->rank; ++d)
        info->dims[d] = buf->dims[d] >= 0 ? buf->dims[d] : -1;
    }
  }
  return NULL;
}

static void destroy_model(anvil_model_t *m) {
  anvil_plan_destroy(&m->plan);
  free(m->kernels);
  free(m->kernel_names);
  free(m->input_info);
  free(m->output_info);
  if (m->handle)
    dlclose(m->handle);
  free(m->path);
  free(m);
}

static anvil_status_t load(anvil_model_t *m, const char *path) {
  ANVIL_RETURN_IF_ERROR(inspect_file(path));
  /* dlopen searches the library path for a name without a slash. */
  size_t len = strlen(path);
  char *dl_path = malloc(len + 3);
  if (!dl_path)
    return anvil_make_status(ANVIL_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  snprintf(dl_path, len + 3, "%s%s", strchr(path, '/') ? "" : "./", path);
  m->handle = dlopen(dl_path, RTLD_NOW | RTLD_LOCAL);
  free(dl_path);
  if (!m->handle) {
    const char *err = dlerror();
    return not_artifact("dlopen failed: %s", err ? err : "unknown error");
  }
  const uint8_t *plan = NULL;
  size_t plan_size = 0;
  ANVIL_RETURN_IF_ERROR(find_blobs(m, &plan, &plan_size));
  ANVIL_RETURN_IF_ERROR(
      anvil_plan_parse(plan, plan_size, m->weights_size, &m->plan));
  ANVIL_RETURN_IF_ERROR(find_kernels(m));
  ANVIL_RETURN_IF_ERROR(find_kernel_names(m));
  return build_info(m);
}

anvil_status_t anvil_model_load(const char *path, anvil_model_t **out_model) {
  if (!path || !out_model)
    return anvil_make_status(ANVIL_STATUS_INVALID_ARGUMENT,
                             "anvil_model_load: %s is NULL",
                             path ? "out_model" : "path");
  anvil_model_t *m = calloc(1, sizeof *m);
  char *copy = strdup(path);
  if (!m || !copy) {
    free(m);
    free(copy);
    return anvil_make_status(ANVIL_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  }
  atomic_init(&m->refs, 1);
  m->path = copy;
  anvil_status_t st = load(m, path);
  if (st) {
    destroy_model(m);
    return anvil_status_prefix(st, "cannot load '%s': ", path);
  }
  *out_model = m;
  return NULL;
}

void anvil_model_retain(anvil_model_t *model) {
  atomic_fetch_add_explicit(&model->refs, 1, memory_order_relaxed);
}

void anvil_model_release(anvil_model_t *model) {
  if (!model)
    return;
  /* acq_rel: the last releaser must see every other thread's use first. */
  if (atomic_fetch_sub_explicit(&model->refs, 1, memory_order_acq_rel) == 1)
    destroy_model(model);
}

/*===--- Queries ----------------------------------------------------------===*/

#define CHECK_ARG(ptr, fn)                                                     \
  do {                                                                         \
    if (!(ptr))                                                                \
      return anvil_make_status(ANVIL_STATUS_INVALID_ARGUMENT,                  \
                               "%s: %s is NULL", fn, #ptr);                    \
  } while (0)

anvil_status_t anvil_model_num_inputs(const anvil_model_t *model,
                                      size_t *out_count) {
  CHECK_ARG(model, __func__);
  CHECK_ARG(out_count, __func__);
  *out_count = model->plan.num_inputs;
  return NULL;
}

anvil_status_t anvil_model_weights(const anvil_model_t *model,
                                   const void **out_data, size_t *out_size) {
  CHECK_ARG(model, __func__);
  CHECK_ARG(out_data, __func__);
  CHECK_ARG(out_size, __func__);
  *out_data = model->weights_size ? model->weights : NULL;
  *out_size = (size_t)model->weights_size;
  return NULL;
}

anvil_status_t anvil_model_num_outputs(const anvil_model_t *model,
                                       size_t *out_count) {
  CHECK_ARG(model, __func__);
  CHECK_ARG(out_count, __func__);
  *out_count = model->plan.num_outputs;
  return NULL;
}

static anvil_status_t get_info(const anvil_model_t *model, size_t index,
                               anvil_tensor_info_t *out_info, int output,
                               const char *fn) {
  CHECK_ARG(model, fn);
  CHECK_ARG(out_info, fn);
  size_t count = output ? model->plan.num_outputs : model->plan.num_inputs;
  if (index >= count)
    return anvil_make_status(ANVIL_STATUS_INVALID_ARGUMENT,
                             "%s: index %zu out of range (the model has %zu "
                             "%s)",
                             fn, index, count, output ? "outputs" : "inputs");
  *out_info = output ? model->output_info[index] : model->input_info[index];
  return NULL;
}

anvil_status_t anvil_model_input_info(const anvil_model_t *model, size_t index,
                                      anvil_tensor_info_t *out_info) {
  return get_info(model, index, out_info, 0, __func__);
}

anvil_status_t anvil_model_output_info(const anvil_model_t *model, size_t index,
                                       anvil_tensor_info_t *out_info) {
  return get_info(model, index, out_info, 1, __func__);
}

static anvil_status_t find(const anvil_model_t *model, const char *name,
                           size_t *out_index, int output, const char *fn) {
  CHECK_ARG(model, fn);
  CHECK_ARG(name, fn);
  CHECK_ARG(out_index, fn);
  uint32_t count = output ? model->plan.num_outputs : model->plan.num_inputs;
  const anvil_plan_io_t *list =
      output ? model->plan.outputs : model->plan.inputs;
  for (uint32_t i = 0; i < count; ++i)
    if (strcmp(list[i].name, name) == 0) {
      *out_index = i;
      return NULL;
    }
  return anvil_make_status(ANVIL_STATUS_NOT_FOUND, "the model has no %s '%s'",
                           output ? "output" : "input", name);
}

anvil_status_t anvil_model_find_input(const anvil_model_t *model,
                                      const char *name, size_t *out_index) {
  return find(model, name, out_index, 0, __func__);
}

anvil_status_t anvil_model_find_output(const anvil_model_t *model,
                                       const char *name, size_t *out_index) {
  return find(model, name, out_index, 1, __func__);
}
