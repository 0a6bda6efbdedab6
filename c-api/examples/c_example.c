/* The smallest C program over libkiln: count visits in a shared map.
 * Usage: c_example HOST:PORT|tc-config.xml */
#include <stdio.h>

#include "kiln.h"

static int fail(const char *what, kiln_result r) {
  fprintf(stderr, "%s: %s: %s\n", what, kiln_result_name(r), kiln_last_error_message());
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  kiln_client *c = NULL;
  kiln_result r = kiln_client_connect(argv[1], "c-example", 30000, &c);
  if (r != KILN_RESULT_OK) return fail("connect", r);
  uint64_t visits = 0;
  kiln_txn *tx = NULL;
  int64_t n = 0;
  if ((r = kiln_root_counter(c, "visits", &visits)) != KILN_RESULT_OK ||
      (r = kiln_lock_object(c, visits, KILN_LOCK_LEVEL_WRITE, &tx)) != KILN_RESULT_OK ||
      (r = kiln_counter_add(tx, visits, 1, &n)) != KILN_RESULT_OK ||
      (r = kiln_txn_commit(tx)) != KILN_RESULT_OK) {
    kiln_client_close(c);
    return fail("count", r);
  }
  printf("c_example: visit %lld\n", (long long)n);
  r = kiln_client_close(c);
  return r == KILN_RESULT_OK ? 0 : fail("close", r);
}
