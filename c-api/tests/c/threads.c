/* One client shared by several threads: each thread locks, writes and reads its own keys; the
 * last error message is per thread.
 * Usage: threads HOST:PORT */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>

#include "common.h"

#define THREADS 4
#define OPS 100

struct arg {
  kiln_client *c;
  uint64_t map;
  int id;
};

static void *work(void *p) {
  struct arg *a = (struct arg *)p;
  char lock[32];
  snprintf(lock, sizeof lock, "t%d", a->id);
  for (int i = 0; i < OPS; i++) {
    kiln_txn *tx = NULL;
    CHECK(kiln_lock_named(a->c, lock, KILN_LOCK_LEVEL_WRITE, &tx));
    kiln_val k = kiln_val_i64((int64_t)a->id * 1000 + i), v = kiln_val_i64(i);
    CHECK(kiln_map_put(tx, a->map, &k, &v));
    CHECK(kiln_txn_commit(tx));
    kiln_value *got = NULL;
    CHECK(kiln_map_get(a->c, a->map, &k, &got));
    int64_t n = -1;
    CHECK(kiln_value_i64(got, &n));
    ASSERT(n == i);
    kiln_value_free(got);
  }
  /* A failure on this thread... */
  kiln_value *none = NULL;
  kiln_val absent = kiln_val_str("absent");
  ASSERT(kiln_map_get(a->c, a->map, &absent, &none) == KILN_RESULT_NOT_FOUND);
  ASSERT(strstr(kiln_last_error_message(), "not in map") != NULL);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  kiln_client *c = NULL;
  CHECK(kiln_client_connect(argv[1], "c-threads", 30000, &c));
  uint64_t map = 0;
  CHECK(kiln_root_map(c, "threads", &map));
  pthread_t t[THREADS];
  struct arg args[THREADS];
  for (int i = 0; i < THREADS; i++) {
    args[i].c = c;
    args[i].map = map;
    args[i].id = i;
    ASSERT(pthread_create(&t[i], NULL, work, &args[i]) == 0);
  }
  for (int i = 0; i < THREADS; i++) ASSERT(pthread_join(t[i], NULL) == 0);
  /* ...is not this thread's last error. */
  ASSERT(kiln_last_error_code() == KILN_RESULT_OK);
  size_t len = 0;
  CHECK(kiln_map_len(c, map, &len));
  ASSERT(len == THREADS * OPS);
  CHECK(kiln_client_close(c));
  printf("threads ok\n");
  return 0;
}
