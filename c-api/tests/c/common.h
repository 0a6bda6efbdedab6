/* Helpers of the C test programs (driven by c-api/tests/c_programs.rs). */
#ifndef KILN_TEST_COMMON_H
#define KILN_TEST_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiln.h"

/* Fails the program when `call` does not return KILN_RESULT_OK. */
#define CHECK(call)                                                                   \
  do {                                                                                \
    kiln_result r_ = (call);                                                          \
    if (r_ != KILN_RESULT_OK) {                                                       \
      fprintf(stderr, "%s:%d: %s returned %s: %s\n", __FILE__, __LINE__, #call,       \
              kiln_result_name(r_), kiln_last_error_message());                       \
      exit(1);                                                                        \
    }                                                                                 \
  } while (0)

/* Fails the program unless `call` returns `code` and the last error message contains `msg`. */
#define EXPECT(call, code, msg)                                                       \
  do {                                                                                \
    kiln_result r_ = (call);                                                          \
    const char *m_ = kiln_last_error_message();                                       \
    if (r_ != (code) || kiln_last_error_code() != (code) || strstr(m_, (msg)) == NULL) { \
      fprintf(stderr, "%s:%d: %s returned %s (%s), expected %s with \"%s\"\n",        \
              __FILE__, __LINE__, #call, kiln_result_name(r_), m_,                    \
              kiln_result_name(code), (msg));                                         \
      exit(1);                                                                        \
    }                                                                                 \
    checks++;                                                                         \
  } while (0)

/* Fails the program unless `cond` holds. */
#define ASSERT(cond)                                                                  \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #cond);    \
      exit(1);                                                                        \
    }                                                                                 \
  } while (0)

static int checks __attribute__((unused)) = 0;

/* The string of a value (which must be a string), copied into `buf`. */
static inline const char *str_of(const kiln_value *v, char *buf, size_t cap) {
  const char *p = NULL;
  size_t n = 0;
  CHECK(kiln_value_str(v, &p, &n));
  if (n >= cap) n = cap - 1;
  memcpy(buf, p, n);
  buf[n] = 0;
  return buf;
}

/* map[key] as a string (the program fails if absent or not a string). */
static inline const char *map_get_str(const kiln_client *c, uint64_t map, const char *key,
                                      char *buf, size_t cap) {
  kiln_val k = kiln_val_str(key);
  kiln_value *v = NULL;
  CHECK(kiln_map_get(c, map, &k, &v));
  str_of(v, buf, cap);
  kiln_value_free(v);
  return buf;
}

#endif
