/* Two of these processes contend for locks: each adds 1 to a shared counter ROUNDS times under
 * a write lock on the counter object, then they play ping-pong through wait/notifyAll on the
 * named lock "turn": each appends its name to the list "pingpong" when it is its turn.
 * Usage: lock_pingpong HOST:PORT ME OTHER ROUNDS */
#include "common.h"

int main(int argc, char **argv) {
  if (argc != 5) return 2;
  const char *me = argv[2], *other = argv[3];
  int rounds = atoi(argv[4]);
  kiln_client *c = NULL;
  CHECK(kiln_client_connect(argv[1], me, 30000, &c));
  uint64_t counter = 0, list = 0, state = 0;
  CHECK(kiln_root_counter(c, "pp-counter", &counter));
  CHECK(kiln_root_list(c, "pingpong", &list));
  CHECK(kiln_root_map(c, "pp-state", &state));

  for (int i = 0; i < rounds; i++) {
    kiln_txn *tx = NULL;
    CHECK(kiln_lock_object(c, counter, KILN_LOCK_LEVEL_WRITE, &tx));
    CHECK(kiln_counter_add(tx, counter, 1, NULL));
    CHECK(kiln_txn_commit(tx));
  }

  kiln_val key = kiln_val_str("turn"), mine = kiln_val_str(me), theirs = kiln_val_str(other);
  int waits = 0;
  for (int i = 0; i < rounds; i++) {
    kiln_txn *tx = NULL;
    /* Try first (greedy re-acquire when this client holds the lease), else wait for it. */
    kiln_result r = kiln_try_lock_named(c, "turn", KILN_LOCK_LEVEL_WRITE, 10, &tx);
    if (r == KILN_RESULT_TIMEOUT) {
      ASSERT(tx == NULL);
      CHECK(kiln_lock_named(c, "turn", KILN_LOCK_LEVEL_WRITE, &tx));
    } else {
      CHECK(r);
    }
    for (;;) {
      kiln_value *v = NULL;
      r = kiln_map_get(c, state, &key, &v);
      const char *p = NULL;
      size_t n = 0;
      int my_turn;
      if (r == KILN_RESULT_NOT_FOUND) {
        my_turn = strcmp(me, "a") == 0; /* "a" starts */
      } else {
        CHECK(r);
        CHECK(kiln_value_str(v, &p, &n));
        my_turn = n == strlen(me) && memcmp(p, me, n) == 0;
        kiln_value_free(v);
      }
      if (my_turn) break;
      uint32_t why = 0;
      CHECK(kiln_txn_wait(tx, 20000, &why));
      ASSERT(why == KILN_WAKE_NOTIFIED || why == KILN_WAKE_TIMED_OUT);
      waits++;
    }
    CHECK(kiln_list_add(tx, list, &mine));
    CHECK(kiln_map_put(tx, state, &key, &theirs));
    CHECK(kiln_txn_notify_all(tx));
    CHECK(kiln_txn_commit(tx));
  }
  int64_t total = 0;
  CHECK(kiln_counter_get(c, counter, &total));
  CHECK(kiln_client_close(c));
  printf("%s done: waits=%d counter>=%lld\n", me, waits, (long long)total);
  return 0;
}
