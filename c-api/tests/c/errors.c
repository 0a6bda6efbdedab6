/* Every NULL argument and error path returns its documented code and a last-error message that
 * names the problem; out-parameters stay untouched on failure.
 * Usage: errors HOST:PORT CONFIG_DIR */
#define _POSIX_C_SOURCE 200809L
#include <time.h>

#include "common.h"

#define NUL_ARG KILN_RESULT_NULL_ARGUMENT

static void *SENTINEL = (void *)0x1;

static int changed = 0;
static void on_change(void *ud, const kiln_change_event *ev) {
  (void)ud;
  (void)ev;
  __atomic_store_n(&changed, 1, __ATOMIC_SEQ_CST);
}
static void on_dmi(void *ud, const kiln_dmi_event *ev) {
  (void)ud;
  (void)ev;
}
static void on_member(void *ud, const kiln_member_event *ev) {
  (void)ud;
  (void)ev;
}

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  const char *addr = argv[1];
  char path[512];

  /* Nothing failed yet on this thread. */
  ASSERT(kiln_last_error_code() == KILN_RESULT_OK);
  ASSERT(strcmp(kiln_last_error_message(), "") == 0);
  ASSERT(strcmp(kiln_result_name(KILN_RESULT_NOT_FOUND), "KILN_RESULT_NOT_FOUND") == 0);
  ASSERT(strcmp(kiln_result_name(0), "KILN_RESULT_UNKNOWN") == 0);
  ASSERT(strncmp(kiln_version(), "libkiln ", 8) == 0);

  /* ---- connect */
  kiln_client *c = (kiln_client *)SENTINEL;
  EXPECT(kiln_client_connect(NULL, "n", 0, &c), NUL_ARG, "kiln_client_connect: null argument: spec");
  EXPECT(kiln_client_connect(addr, "n", 0, NULL), NUL_ARG, "null argument: out");
  EXPECT(kiln_client_connect(" , ", NULL, 0, &c), KILN_RESULT_INVALID_ARGUMENT, "invalid spec");
  EXPECT(kiln_client_connect("\xff\xfe", NULL, 0, &c), KILN_RESULT_INVALID_UTF8,
         "spec is not valid UTF-8");
  EXPECT(kiln_client_connect("127.0.0.1:1", NULL, 300, &c), KILN_RESULT_CONNECT_FAILED,
         "could not connect to 127.0.0.1:1");
  snprintf(path, sizeof path, "%s/bad-tc-config.xml", argv[2]);
  FILE *f = fopen(path, "w");
  ASSERT(f != NULL);
  fputs("<tc:tc-config><servers><server", f);
  fclose(f);
  EXPECT(kiln_client_connect(path, NULL, 0, &c), KILN_RESULT_CONFIG, "configuration error");
  ASSERT(c == (kiln_client *)SENTINEL);
  EXPECT(kiln_client_close(NULL), NUL_ARG, "kiln_client_close: null argument: client");

  CHECK(kiln_client_connect(addr, NULL, 30000, &c));
  kiln_client *c2 = NULL;
  CHECK(kiln_client_connect(addr, "second", 30000, &c2));

  uint64_t id = 7;
  EXPECT(kiln_client_id(NULL, &id), NUL_ARG, "kiln_client_id: null argument: client");
  EXPECT(kiln_client_id(c, NULL), NUL_ARG, "null argument: out");
  ASSERT(id == 7);
  EXPECT(kiln_client_flush(NULL), NUL_ARG, "null argument: client");

  /* ---- roots */
  uint64_t map = 0, list = 0, oid = 99;
  kiln_value *v = (kiln_value *)SENTINEL;
  CHECK(kiln_root_map(c, "m", &map));
  CHECK(kiln_root_list(c, "l", &list));
  EXPECT(kiln_root_map(NULL, "m", &oid), NUL_ARG, "kiln_root_map: null argument: client");
  EXPECT(kiln_root_map(c, NULL, &oid), NUL_ARG, "null argument: name");
  EXPECT(kiln_root_map(c, "m", NULL), NUL_ARG, "null argument: out");
  EXPECT(kiln_root_map(c, "\xc3", &oid), KILN_RESULT_INVALID_UTF8, "name is not valid UTF-8");
  EXPECT(kiln_root_list(c, "m", &oid), KILN_RESULT_WRONG_KIND, "is a map, expected a list");
  EXPECT(kiln_root_list(NULL, "l", &oid), NUL_ARG, "null argument: client");
  EXPECT(kiln_root_object(c, "o", NULL, &oid), NUL_ARG, "kiln_root_object: null argument: class");
  EXPECT(kiln_root_object(c, NULL, "C", &oid), NUL_ARG, "null argument: name");
  /* A root bound to something else is returned as is; counter operations then refuse it. */
  CHECK(kiln_root_counter(c, "m", &oid));
  EXPECT(kiln_root_counter(NULL, "k", &oid), NUL_ARG, "kiln_root_counter: null argument: client");
  EXPECT(kiln_root_counter(c, "k", NULL), NUL_ARG, "null argument: out");
  ASSERT(oid == map);
  EXPECT(kiln_root_get(c, "unbound", &v), KILN_RESULT_NOT_FOUND, "root 'unbound' is not bound");
  EXPECT(kiln_root_get(NULL, "x", &v), NUL_ARG, "null argument: client");
  EXPECT(kiln_root_get(c, NULL, &v), NUL_ARG, "null argument: name");
  EXPECT(kiln_root_get(c, "x", NULL), NUL_ARG, "null argument: out");
  kiln_val i1 = kiln_val_i64(1);
  EXPECT(kiln_root_set(c, "x", NULL, false, NULL), NUL_ARG, "kiln_root_set: null argument: value");
  EXPECT(kiln_root_set(NULL, "x", &i1, false, NULL), NUL_ARG, "null argument: client");
  EXPECT(kiln_root_set(c, NULL, &i1, false, NULL), NUL_ARG, "null argument: name");
  CHECK(kiln_root_set(c, "lit", &i1, false, NULL));
  EXPECT(kiln_root_map(c, "lit", &oid), KILN_RESULT_WRONG_KIND, "bound to the literal");
  ASSERT(v == (kiln_value *)SENTINEL);

  /* ---- values */
  kiln_val bad = kiln_val_i64(1);
  bad.kind = 42;
  kiln_val nulstr = kiln_val_str(NULL);
  kiln_val nulbytes = kiln_val_bytes(NULL, 0);
  kiln_val badutf8 = kiln_val_strn("\xff", 1);
  kiln_val big = kiln_val_i64(1LL << 40);
  big.kind = KILN_TYPE_I32;
  kiln_val key = kiln_val_str("k");
  EXPECT(kiln_map_get(c, map, &bad, &v), KILN_RESULT_INVALID_ARGUMENT, "unknown kiln_type tag 42");
  EXPECT(kiln_map_get(c, map, &nulstr, &v), NUL_ARG, "kiln_map_get: null argument: key");
  EXPECT(kiln_map_get(c, map, &nulbytes, &v), NUL_ARG, "null argument: key");
  EXPECT(kiln_map_get(c, map, &badutf8, &v), KILN_RESULT_INVALID_UTF8, "key is not valid UTF-8");
  EXPECT(kiln_map_get(c, map, &big, &v), KILN_RESULT_INVALID_ARGUMENT, "does not fit KILN_TYPE_I32");
  EXPECT(kiln_map_get(c, map, &key, &v), KILN_RESULT_NOT_FOUND, "not in map");
  EXPECT(kiln_map_get(NULL, map, &key, &v), NUL_ARG, "null argument: client");
  EXPECT(kiln_map_get(c, map, NULL, &v), NUL_ARG, "null argument: key");
  EXPECT(kiln_map_get(c, map, &key, NULL), NUL_ARG, "null argument: out");
  EXPECT(kiln_map_get(c, list, &key, &v), KILN_RESULT_WRONG_KIND, "is a list, expected a map");
  EXPECT(kiln_map_get(c, 0x00ffffffffffULL, &key, &v), KILN_RESULT_UNKNOWN_OBJECT, "does not exist");
  ASSERT(v == (kiln_value *)SENTINEL);
  size_t len = 77;
  EXPECT(kiln_map_len(NULL, map, &len), NUL_ARG, "kiln_map_len: null argument: client");
  EXPECT(kiln_map_len(c, map, NULL), NUL_ARG, "null argument: out");
  EXPECT(kiln_list_len(NULL, list, &len), NUL_ARG, "kiln_list_len: null argument: client");
  EXPECT(kiln_list_len(c, list, NULL), NUL_ARG, "null argument: out");
  EXPECT(kiln_list_get(c, list, 3, &v), KILN_RESULT_INDEX_OUT_OF_BOUNDS, "index 3 out of bounds");
  EXPECT(kiln_list_get(NULL, list, 0, &v), NUL_ARG, "null argument: client");
  EXPECT(kiln_list_get(c, list, 0, NULL), NUL_ARG, "null argument: out");
  EXPECT(kiln_list_get(c, map, 0, &v), KILN_RESULT_WRONG_KIND, "expected a list");
  ASSERT(len == 77 && v == (kiln_value *)SENTINEL);

  /* value accessors */
  kiln_val sv = kiln_val_str("text");
  kiln_txn *tx = (kiln_txn *)SENTINEL;
  CHECK(kiln_lock_named(c, "m", KILN_LOCK_LEVEL_WRITE, &tx));
  CHECK(kiln_map_put(tx, map, &key, &sv));
  CHECK(kiln_txn_commit(tx));
  CHECK(kiln_map_get(c, map, &key, &v));
  int64_t i = 5;
  double d = 5;
  bool b = true;
  const char *sp = (const char *)SENTINEL;
  const uint8_t *bp = (const uint8_t *)SENTINEL;
  size_t n = 5;
  uint64_t r = 5;
  EXPECT(kiln_value_i64(v, &i), KILN_RESULT_WRONG_TYPE, "value is a string, expected integer");
  EXPECT(kiln_value_f64(v, &d), KILN_RESULT_WRONG_TYPE, "expected floating-point number");
  EXPECT(kiln_value_bool(v, &b), KILN_RESULT_WRONG_TYPE, "expected bool");
  EXPECT(kiln_value_bytes(v, &bp, &n), KILN_RESULT_WRONG_TYPE, "expected bytes");
  EXPECT(kiln_value_ref(v, &r), KILN_RESULT_WRONG_TYPE, "expected reference");
  EXPECT(kiln_value_i64(NULL, &i), NUL_ARG, "kiln_value_i64: null argument: value");
  EXPECT(kiln_value_i64(v, NULL), NUL_ARG, "null argument: out");
  EXPECT(kiln_value_f64(NULL, &d), NUL_ARG, "kiln_value_f64: null argument: value");
  EXPECT(kiln_value_f64(v, NULL), NUL_ARG, "null argument: out");
  EXPECT(kiln_value_bool(NULL, &b), NUL_ARG, "kiln_value_bool: null argument: value");
  EXPECT(kiln_value_bool(v, NULL), NUL_ARG, "null argument: out");
  EXPECT(kiln_value_str(NULL, &sp, &n), NUL_ARG, "kiln_value_str: null argument: value");
  EXPECT(kiln_value_str(v, NULL, &n), NUL_ARG, "null argument: out_ptr");
  EXPECT(kiln_value_str(v, &sp, NULL), NUL_ARG, "null argument: out_len");
  EXPECT(kiln_value_bytes(NULL, &bp, &n), NUL_ARG, "kiln_value_bytes: null argument: value");
  EXPECT(kiln_value_bytes(v, NULL, &n), NUL_ARG, "null argument: out_ptr");
  EXPECT(kiln_value_bytes(v, &bp, NULL), NUL_ARG, "null argument: out_len");
  EXPECT(kiln_value_ref(NULL, &r), NUL_ARG, "kiln_value_ref: null argument: value");
  EXPECT(kiln_value_ref(v, NULL), NUL_ARG, "null argument: out");
  ASSERT(i == 5 && d == 5 && b && sp == (const char *)SENTINEL &&
         bp == (const uint8_t *)SENTINEL && n == 5 && r == 5);
  ASSERT(kiln_value_type(NULL) == KILN_TYPE_NULL);
  ASSERT(strcmp(kiln_value_type_name(NULL), "") == 0);
  ASSERT(strcmp(kiln_value_type_name(v), "string") == 0);
  kiln_value_free(v);
  kiln_value_free(NULL);
  v = (kiln_value *)SENTINEL;

  /* ---- locks */
  tx = (kiln_txn *)SENTINEL;
  EXPECT(kiln_lock_named(NULL, "m", KILN_LOCK_LEVEL_WRITE, &tx), NUL_ARG,
         "kiln_lock_named: null argument: client");
  EXPECT(kiln_lock_named(c, NULL, KILN_LOCK_LEVEL_WRITE, &tx), NUL_ARG, "null argument: name");
  EXPECT(kiln_lock_named(c, "m", KILN_LOCK_LEVEL_WRITE, NULL), NUL_ARG, "null argument: out");
  EXPECT(kiln_lock_named(c, "m", 0, &tx), KILN_RESULT_INVALID_ARGUMENT, "invalid level: 0");
  EXPECT(kiln_lock_named(c, "m", 5, &tx), KILN_RESULT_INVALID_ARGUMENT, "invalid level: 5");
  EXPECT(kiln_try_lock_named(NULL, "m", 2, 0, &tx), NUL_ARG, "kiln_try_lock_named: null argument: client");
  EXPECT(kiln_try_lock_named(c, NULL, 2, 0, &tx), NUL_ARG, "null argument: name");
  EXPECT(kiln_try_lock_named(c, "m", 2, 0, NULL), NUL_ARG, "null argument: out");
  EXPECT(kiln_try_lock_named(c, "m", 2, -1, &tx), KILN_RESULT_INVALID_ARGUMENT, "-1 ms is negative");
  EXPECT(kiln_lock_object(NULL, map, 2, &tx), NUL_ARG, "kiln_lock_object: null argument: client");
  EXPECT(kiln_lock_object(c, map, 2, NULL), NUL_ARG, "null argument: out");
  EXPECT(kiln_lock_object(c, map, 9, &tx), KILN_RESULT_INVALID_ARGUMENT, "invalid level: 9");
  EXPECT(kiln_try_lock_object(NULL, map, 2, 0, &tx), NUL_ARG, "kiln_try_lock_object: null argument: client");
  EXPECT(kiln_try_lock_object(c, map, 2, 0, NULL), NUL_ARG, "null argument: out");
  EXPECT(kiln_try_lock_object(c, map, 2, -5, &tx), KILN_RESULT_INVALID_ARGUMENT, "negative");
  ASSERT(tx == (kiln_txn *)SENTINEL);

  /* try-lock timeout: the second client holds the lock */
  kiln_txn *held = NULL;
  CHECK(kiln_lock_named(c2, "held", KILN_LOCK_LEVEL_WRITE, &held));
  EXPECT(kiln_try_lock_named(c, "held", KILN_LOCK_LEVEL_WRITE, 200, &tx), KILN_RESULT_TIMEOUT,
         "kiln_try_lock_named: timed out: lock");
  EXPECT(kiln_try_lock_named(c, "held", KILN_LOCK_LEVEL_READ, 0, &tx), KILN_RESULT_TIMEOUT,
         "not acquired within");
  CHECK(kiln_lock_object(c2, map, KILN_LOCK_LEVEL_WRITE, &tx));
  kiln_txn *tx2 = (kiln_txn *)SENTINEL;
  EXPECT(kiln_try_lock_object(c, map, KILN_LOCK_LEVEL_WRITE, 100, &tx2), KILN_RESULT_TIMEOUT,
         "timed out");
  ASSERT(tx2 == (kiln_txn *)SENTINEL);
  CHECK(kiln_txn_commit(tx));
  CHECK(kiln_txn_commit(held));

  /* transactions */
  uint64_t token = 3;
  EXPECT(kiln_txn_commit(NULL), NUL_ARG, "kiln_txn_commit: null argument: txn");
  EXPECT(kiln_txn_token(NULL, &token), NUL_ARG, "kiln_txn_token: null argument: txn");
  EXPECT(kiln_txn_wait(NULL, 0, NULL), NUL_ARG, "kiln_txn_wait: null argument: txn");
  EXPECT(kiln_txn_notify(NULL), NUL_ARG, "kiln_txn_notify: null argument: txn");
  EXPECT(kiln_txn_notify_all(NULL), NUL_ARG, "kiln_txn_notify_all: null argument: txn");
  CHECK(kiln_lock_named(c, "m", KILN_LOCK_LEVEL_READ, &tx));
  EXPECT(kiln_txn_token(tx, NULL), NUL_ARG, "null argument: out");
  EXPECT(kiln_map_put(tx, map, &key, &sv), KILN_RESULT_READ_ONLY, "under a read lock");
  CHECK(kiln_txn_commit(tx));
  CHECK(kiln_lock_named(c, "m", KILN_LOCK_LEVEL_CONCURRENT, &tx));
  EXPECT(kiln_txn_wait(tx, 10, NULL), KILN_RESULT_ILLEGAL_STATE, "kiln_txn_wait: illegal state");
  CHECK(kiln_txn_commit(tx));
  CHECK(kiln_lock_named(c, "m", KILN_LOCK_LEVEL_WRITE, &tx));
  uint32_t why = 0;
  CHECK(kiln_txn_wait(tx, 50, &why));
  ASSERT(why == KILN_WAKE_TIMED_OUT);
  /* writes */
  EXPECT(kiln_map_put(NULL, map, &key, &sv), NUL_ARG, "kiln_map_put: null argument: txn");
  EXPECT(kiln_map_put(tx, map, NULL, &sv), NUL_ARG, "null argument: key");
  EXPECT(kiln_map_put(tx, map, &key, NULL), NUL_ARG, "null argument: value");
  EXPECT(kiln_map_put(tx, map, &key, &nulstr), NUL_ARG, "null argument: value");
  EXPECT(kiln_map_put(tx, list, &key, &sv), KILN_RESULT_WRONG_KIND, "is a list, expected a map");
  EXPECT(kiln_map_remove(NULL, map, &key, NULL), NUL_ARG, "kiln_map_remove: null argument: txn");
  EXPECT(kiln_map_remove(tx, map, NULL, NULL), NUL_ARG, "null argument: key");
  EXPECT(kiln_list_add(NULL, list, &sv), NUL_ARG, "kiln_list_add: null argument: txn");
  EXPECT(kiln_list_add(tx, list, NULL), NUL_ARG, "null argument: value");
  EXPECT(kiln_list_add(tx, map, &sv), KILN_RESULT_WRONG_KIND, "expected a list");
  EXPECT(kiln_list_set(NULL, list, 0, &sv), NUL_ARG, "kiln_list_set: null argument: txn");
  EXPECT(kiln_list_set(tx, list, 0, NULL), NUL_ARG, "null argument: value");
  EXPECT(kiln_list_set(tx, list, 0, &sv), KILN_RESULT_INDEX_OUT_OF_BOUNDS, "index 0 out of bounds");
  EXPECT(kiln_list_remove_at(NULL, list, 0), NUL_ARG, "kiln_list_remove_at: null argument: txn");
  EXPECT(kiln_list_remove_at(tx, list, 0), KILN_RESULT_INDEX_OUT_OF_BOUNDS, "out of bounds");
  int64_t cnt = 4;
  EXPECT(kiln_counter_add(NULL, map, 1, &cnt), NUL_ARG, "kiln_counter_add: null argument: txn");
  EXPECT(kiln_counter_add(tx, map, 1, &cnt), KILN_RESULT_WRONG_KIND, "expected a counter");
  EXPECT(kiln_counter_get(NULL, map, &cnt), NUL_ARG, "kiln_counter_get: null argument: client");
  EXPECT(kiln_counter_get(c, map, NULL), NUL_ARG, "null argument: out");
  EXPECT(kiln_counter_get(c, list, &cnt), KILN_RESULT_WRONG_KIND, "expected a counter");
  ASSERT(cnt == 4);
  uint64_t obj = 0;
  EXPECT(kiln_object_create(NULL, "C", &obj), NUL_ARG, "kiln_object_create: null argument: txn");
  EXPECT(kiln_object_create(tx, NULL, &obj), NUL_ARG, "null argument: class");
  EXPECT(kiln_object_create(tx, "C", NULL), NUL_ARG, "null argument: out");
  CHECK(kiln_root_object(c, "obj", "C", &obj));
  EXPECT(kiln_object_set(NULL, obj, "C", "f", &sv), NUL_ARG, "kiln_object_set: null argument: txn");
  EXPECT(kiln_object_set(tx, obj, NULL, "f", &sv), NUL_ARG, "null argument: class");
  EXPECT(kiln_object_set(tx, obj, "C", NULL, &sv), NUL_ARG, "null argument: field");
  EXPECT(kiln_object_set(tx, obj, "C", "f", NULL), NUL_ARG, "null argument: value");
  EXPECT(kiln_object_get(c, obj, "C", "nope", &v), KILN_RESULT_NOT_FOUND, "has no field 'nope'");
  EXPECT(kiln_object_get(NULL, obj, "C", "f", &v), NUL_ARG, "kiln_object_get: null argument: client");
  EXPECT(kiln_object_get(c, obj, NULL, "f", &v), NUL_ARG, "null argument: class");
  EXPECT(kiln_object_get(c, obj, "C", NULL, &v), NUL_ARG, "null argument: field");
  EXPECT(kiln_object_get(c, obj, "C", "f", NULL), NUL_ARG, "null argument: out");
  EXPECT(kiln_object_get(c, map, "C", "f", &v), KILN_RESULT_WRONG_KIND, "expected a physical");
  ASSERT(v == (kiln_value *)SENTINEL);
  EXPECT(kiln_txn_invoke(NULL, 0, "m", NULL, 0, true), NUL_ARG, "kiln_txn_invoke: null argument: txn");
  EXPECT(kiln_txn_invoke(tx, 0, NULL, NULL, 0, true), NUL_ARG, "null argument: method");
  EXPECT(kiln_txn_invoke(tx, 0, "m", NULL, 2, true), NUL_ARG, "null argument: args");
  kiln_val args[2] = {kiln_val_i64(1), bad};
  EXPECT(kiln_txn_invoke(tx, 0, "m", args, 2, true), KILN_RESULT_INVALID_ARGUMENT, "unknown kiln_type");
  CHECK(kiln_txn_invoke(tx, 0, "m", args, 1, true));
  CHECK(kiln_txn_commit(tx));

  /* ---- writes to objects this client never faulted in (ids learnt from the other client in
   * this process): faulted in on the first write, then written. */
  uint64_t foreign_map = 0, foreign_ctr = 0;
  CHECK(kiln_root_map(c2, "c2-only", &foreign_map));
  CHECK(kiln_root_counter(c2, "c2-counter", &foreign_ctr));
  CHECK(kiln_lock_named(c, "foreign", KILN_LOCK_LEVEL_WRITE, &tx));
  kiln_val fk = kiln_val_str("from-c"), fv = kiln_val_i64(11);
  CHECK(kiln_map_put(tx, foreign_map, &fk, &fv));
  int64_t fc = 0;
  CHECK(kiln_counter_add(tx, foreign_ctr, 3, &fc));
  ASSERT(fc == 3);
  EXPECT(kiln_map_put(tx, 0x00ffffffff00ULL, &fk, &fv), KILN_RESULT_UNKNOWN_OBJECT,
         "kiln_map_put: object");
  CHECK(kiln_txn_commit(tx));
  CHECK(kiln_client_flush(c));
  int64_t seen = 0;
  for (int k = 0; k < 500; k++) {
    if (kiln_map_get_i64(c2, foreign_map, &fk, &seen) == KILN_RESULT_OK) break;
    struct timespec ms10 = {0, 10000000};
    nanosleep(&ms10, NULL);
  }
  ASSERT(seen == 11);
  EXPECT(kiln_map_get_i64(c2, foreign_map, &sv, &seen), KILN_RESULT_NOT_FOUND, "kiln_map_get_i64: not found");
  EXPECT(kiln_map_get_i64(NULL, foreign_map, &fk, &seen), NUL_ARG, "kiln_map_get_i64: null argument: client");
  EXPECT(kiln_map_get_i64(c2, foreign_map, NULL, &seen), NUL_ARG, "null argument: key");
  EXPECT(kiln_map_get_i64(c2, foreign_map, &fk, NULL), NUL_ARG, "null argument: out");
  EXPECT(kiln_map_get_i64(c, map, &key, &seen), KILN_RESULT_WRONG_TYPE, "value is a string, expected integer");
  ASSERT(seen == 11);

  /* ---- callbacks */
  kiln_subscription *sub = (kiln_subscription *)SENTINEL;
  EXPECT(kiln_on_dmi(NULL, "m", on_dmi, NULL), NUL_ARG, "kiln_on_dmi: null argument: client");
  EXPECT(kiln_on_dmi(c, NULL, on_dmi, NULL), NUL_ARG, "null argument: method");
  EXPECT(kiln_on_dmi(c, "m", NULL, NULL), NUL_ARG, "null argument: callback");
  EXPECT(kiln_on_membership(NULL, on_member, NULL), NUL_ARG, "kiln_on_membership: null argument: client");
  EXPECT(kiln_on_membership(c, NULL, NULL), NUL_ARG, "null argument: callback");
  EXPECT(kiln_subscribe(NULL, map, on_change, NULL, &sub), NUL_ARG, "kiln_subscribe: null argument: client");
  EXPECT(kiln_subscribe(c, map, NULL, NULL, &sub), NUL_ARG, "null argument: callback");
  EXPECT(kiln_subscribe(c, map, on_change, NULL, NULL), NUL_ARG, "null argument: out");
  EXPECT(kiln_subscribe(c, 0x00fffffffff0ULL, on_change, NULL, &sub), KILN_RESULT_UNKNOWN_OBJECT, "does not exist");
  EXPECT(kiln_subscribe_root(NULL, "r", on_change, NULL, &sub), NUL_ARG, "kiln_subscribe_root: null argument: client");
  EXPECT(kiln_subscribe_root(c, NULL, on_change, NULL, &sub), NUL_ARG, "null argument: name");
  EXPECT(kiln_subscribe_root(c, "r", NULL, NULL, &sub), NUL_ARG, "null argument: callback");
  EXPECT(kiln_subscribe_root(c, "r", on_change, NULL, NULL), NUL_ARG, "null argument: out");
  ASSERT(sub == (kiln_subscription *)SENTINEL);
  kiln_subscription_free(NULL);
  /* Registrations that are never triggered are released at close; a subscription freed
   * after its client was closed is fine. */
  CHECK(kiln_on_dmi(c, "m", on_dmi, NULL));
  CHECK(kiln_on_membership(c, on_member, NULL));
  CHECK(kiln_subscribe_root(c, "lit", on_change, NULL, &sub));
  kiln_txn *t2 = NULL;
  CHECK(kiln_lock_named(c2, "lit", KILN_LOCK_LEVEL_WRITE, &t2));
  CHECK(kiln_txn_commit(t2));
  kiln_val i2 = kiln_val_i64(2);
  CHECK(kiln_root_set(c2, "lit", &i2, true, NULL));
  for (int k = 0; k < 500 && !__atomic_load_n(&changed, __ATOMIC_SEQ_CST); k++) {
    struct timespec ms10 = {0, 10000000};
    nanosleep(&ms10, NULL);
  }
  ASSERT(__atomic_load_n(&changed, __ATOMIC_SEQ_CST));

  CHECK(kiln_client_close(c2));
  CHECK(kiln_client_close(c));
  kiln_subscription_free(sub);
  /* A failure on another thread does not touch this thread's last error. */
  ASSERT(kiln_last_error_code() != KILN_RESULT_OK);
  printf("errors ok: %d checks\n", checks);
  return 0;
}
