/* The C half of `kiln-bench --only capi`: map put and get rates through libkiln. kiln-bench
 * runs the same operations through the Rust blocking client in the same run.
 * put: lock_named(WRITE) + put(string key, i64 value) + commit (greedy lock: no round trip);
 * get: map_get(string key) + read the i64 + free (cache hit);
 * get_i64: kiln_map_get_i64 (the same lookup, no kiln_value to allocate and free).
 * Usage: map_bench HOST:PORT OPS   prints "put_ops_per_s get_ops_per_s get_i64_ops_per_s" */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "kiln.h"

#define KEYS 1000

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void check(kiln_result r, const char *what) {
  if (r != KILN_RESULT_OK) {
    fprintf(stderr, "map_bench: %s: %s: %s\n", what, kiln_result_name(r), kiln_last_error_message());
    exit(1);
  }
}

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  long ops = atol(argv[2]);
  static char keys[KEYS][16];
  for (int i = 0; i < KEYS; i++) snprintf(keys[i], sizeof keys[i], "k%d", i);
  kiln_client *c = NULL;
  check(kiln_client_connect(argv[1], "c-bench", 30000, &c), "connect");
  uint64_t map = 0;
  check(kiln_root_map(c, "bench-c", &map), "root");

  double t0 = now();
  for (long i = 0; i < ops; i++) {
    kiln_txn *tx = NULL;
    check(kiln_lock_named(c, "bench-c", KILN_LOCK_LEVEL_WRITE, &tx), "lock");
    kiln_val k = kiln_val_str(keys[i % KEYS]), v = kiln_val_i64(i);
    check(kiln_map_put(tx, map, &k, &v), "put");
    check(kiln_txn_commit(tx), "commit");
  }
  double put_s = now() - t0;
  check(kiln_client_flush(c), "flush");

  long sum = 0;
  t0 = now();
  for (long i = 0; i < ops; i++) {
    kiln_val k = kiln_val_str(keys[i % KEYS]);
    kiln_value *v = NULL;
    check(kiln_map_get(c, map, &k, &v), "get");
    int64_t n = 0;
    check(kiln_value_i64(v, &n), "i64");
    sum += (long)n;
    kiln_value_free(v);
  }
  double get_s = now() - t0;
  t0 = now();
  for (long i = 0; i < ops; i++) {
    kiln_val k = kiln_val_str(keys[i % KEYS]);
    int64_t n = 0;
    check(kiln_map_get_i64(c, map, &k, &n), "get_i64");
    sum += (long)n;
  }
  double get_i64_s = now() - t0;
  check(kiln_client_close(c), "close");
  printf("%.0f %.0f %.0f %ld\n", (double)ops / put_s, (double)ops / get_s,
         (double)ops / get_i64_s, sum);
  return 0;
}
