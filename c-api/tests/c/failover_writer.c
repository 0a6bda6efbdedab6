/* Writes COUNT transactions (list root "log" gets 0..COUNT-1, one synchronous-write transaction
 * each) through a client of a two-server group (SPEC: its tc-config.xml or "host:port,host:port"),
 * printing "acked <i>" after each acknowledgement. The test kills the active with kill -9 while
 * it writes: the client fails over by itself, so no call here may fail (CHECK exits on the first
 * error). At the end it checks that the list holds every value exactly once, in order, and prints
 * the longest pause between two acknowledgements. */
#include <time.h>

#include "common.h"

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: failover_writer SPEC COUNT\n");
    return 2;
  }
  long count = atol(argv[2]);
  ASSERT(count > 0);
  kiln_client *c = NULL;
  CHECK(kiln_client_connect(argv[1], "c-failover-writer", 30000, &c));
  uint64_t list = 0;
  CHECK(kiln_root_list(c, "log", &list));
  double last = now_ms();
  double max_pause = 0;
  for (long i = 0; i < count; i++) {
    kiln_txn *t = NULL;
    CHECK(kiln_lock_named(c, "log", KILN_LOCK_LEVEL_SYNC_WRITE, &t));
    kiln_val v = kiln_val_i64(i);
    CHECK(kiln_list_add(t, list, &v));
    CHECK(kiln_txn_commit(t));
    double now = now_ms();
    if (now - last > max_pause) max_pause = now - last;
    last = now;
    printf("acked %ld\n", i);
    fflush(stdout);
  }
  CHECK(kiln_client_flush(c));
  size_t len = 0;
  CHECK(kiln_list_len(c, list, &len));
  if (len != (size_t)count) {
    fprintf(stderr, "list holds %zu values, %ld acknowledged\n", len, count);
    return 1;
  }
  for (long i = 0; i < count; i++) {
    kiln_value *v = NULL;
    int64_t x = -1;
    CHECK(kiln_list_get(c, list, (size_t)i, &v));
    CHECK(kiln_value_i64(v, &x));
    kiln_value_free(v);
    if (x != i) {
      fprintf(stderr, "log[%ld] = %lld (each acknowledged value exactly once, in order)\n", i,
              (long long)x);
      return 1;
    }
  }
  printf("max pause ms %.0f\n", max_pause);
  CHECK(kiln_client_close(c));
  printf("failover_writer ok\n");
  return 0;
}
