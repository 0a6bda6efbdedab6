/* The C side of "a C writer and a Rust reader share a map": writes a map (string, bytes and
 * int64 keys and values), a list, a counter, a physical object and a literal root, reads what
 * the Rust side wrote before it started, and exercises the four lock levels.
 * Usage: map_writer HOST:PORT */
#include "common.h"

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  kiln_client *c = NULL;
  CHECK(kiln_client_connect(argv[1], "c-writer", 30000, &c));
  uint64_t id = 0;
  CHECK(kiln_client_id(c, &id));
  ASSERT(id > 0);

  uint64_t map = 0;
  CHECK(kiln_root_map(c, "shared", &map));

  /* What the Rust side wrote before starting this program. */
  char buf[256];
  ASSERT(strcmp(map_get_str(c, map, "from-rust", buf, sizeof buf), "hello C") == 0);

  kiln_txn *tx = NULL;
  CHECK(kiln_lock_named(c, "shared", KILN_LOCK_LEVEL_WRITE, &tx));
  uint64_t token = 0;
  CHECK(kiln_txn_token(tx, &token));
  ASSERT(token > 0);
  kiln_val k = kiln_val_str("greeting"), v = kiln_val_str("hello from C");
  CHECK(kiln_map_put(tx, map, &k, &v));
  /* Data with NUL bytes: explicit lengths. */
  static const uint8_t bkey[] = {0, 1, 2, 0};
  static const uint8_t bval[] = {0xde, 0xad, 0, 0xbe, 0xef};
  kiln_val bk = kiln_val_bytes(bkey, sizeof bkey), bv = kiln_val_bytes(bval, sizeof bval);
  CHECK(kiln_map_put(tx, map, &bk, &bv));
  kiln_val sk = kiln_val_strn("nul\0inside", 10), sv = kiln_val_strn("a\0b", 3);
  CHECK(kiln_map_put(tx, map, &sk, &sv));
  kiln_val ik = kiln_val_i64(42), iv = kiln_val_i64(-7000000000LL);
  CHECK(kiln_map_put(tx, map, &ik, &iv));
  kiln_val gone = kiln_val_str("temporary");
  CHECK(kiln_map_put(tx, map, &gone, &iv));
  bool removed = false;
  CHECK(kiln_map_remove(tx, map, &gone, &removed));
  ASSERT(removed);
  CHECK(kiln_map_remove(tx, map, &gone, &removed));
  ASSERT(!removed);

  /* A list, a counter and a physical object hung from roots. */
  uint64_t list = 0, counter = 0, obj = 0, child = 0;
  CHECK(kiln_root_list(c, "c-list", &list));
  kiln_val e1 = kiln_val_str("one"), e2 = kiln_val_i64(2), e3 = kiln_val_f64(3.5);
  CHECK(kiln_list_add(tx, list, &e1));
  CHECK(kiln_list_add(tx, list, &e2));
  CHECK(kiln_list_add(tx, list, &e3));
  kiln_val two = kiln_val_i32(2);
  CHECK(kiln_list_set(tx, list, 1, &two));
  CHECK(kiln_list_add(tx, list, &e1));
  CHECK(kiln_list_remove_at(tx, list, 3));
  CHECK(kiln_root_counter(c, "c-counter", &counter));
  int64_t n = 0;
  CHECK(kiln_counter_add(tx, counter, 5, &n));
  ASSERT(n == 5);
  CHECK(kiln_counter_add(tx, counter, 2, NULL));
  CHECK(kiln_root_object(c, "c-config", "com.acme.Config", &obj));
  kiln_val port = kiln_val_i32(8080), host = kiln_val_str("example.org"),
           on = kiln_val_bool(true), ratio = kiln_val_f64(0.25);
  CHECK(kiln_object_set(tx, obj, "com.acme.Config", "port", &port));
  CHECK(kiln_object_set(tx, obj, "com.acme.Config", "host", &host));
  CHECK(kiln_object_set(tx, obj, "com.acme.Config", "enabled", &on));
  CHECK(kiln_object_set(tx, obj, "com.acme.Config", "ratio", &ratio));
  CHECK(kiln_object_create(tx, "com.acme.Owner", &child));
  kiln_val owner = kiln_val_str("alice"), ref = kiln_val_ref(child);
  CHECK(kiln_object_set(tx, child, "com.acme.Owner", "name", &owner));
  CHECK(kiln_object_set(tx, obj, "com.acme.Config", "owner", &ref));
  CHECK(kiln_txn_commit(tx));

  /* A literal root. */
  kiln_val answer = kiln_val_i64(42);
  kiln_value *bound = NULL;
  CHECK(kiln_root_set(c, "c-answer", &answer, false, &bound));
  int64_t a = 0;
  CHECK(kiln_value_i64(bound, &a));
  ASSERT(a == 42);
  kiln_value_free(bound);
  CHECK(kiln_root_set(c, "c-answer", &answer, true, NULL));

  /* Read back through the other levels. */
  CHECK(kiln_lock_named(c, "shared", KILN_LOCK_LEVEL_READ, &tx));
  kiln_value *got = NULL;
  CHECK(kiln_map_get(c, map, &bk, &got));
  const uint8_t *bp = NULL;
  size_t bn = 0;
  CHECK(kiln_value_bytes(got, &bp, &bn));
  ASSERT(bn == sizeof bval && memcmp(bp, bval, bn) == 0);
  ASSERT(kiln_value_type(got) == KILN_TYPE_BYTES);
  kiln_value_free(got);
  CHECK(kiln_map_get(c, map, &sk, &got));
  const char *sp = NULL;
  size_t sn = 0;
  CHECK(kiln_value_str(got, &sp, &sn));
  ASSERT(sn == 3 && memcmp(sp, "a\0b", 3) == 0);
  kiln_value_free(got);
  CHECK(kiln_txn_commit(tx));
  CHECK(kiln_lock_named(c, "shared", KILN_LOCK_LEVEL_CONCURRENT, &tx));
  CHECK(kiln_txn_commit(tx));
  CHECK(kiln_lock_named(c, "shared", KILN_LOCK_LEVEL_SYNC_WRITE, &tx));
  kiln_val done = kiln_val_str("done");
  CHECK(kiln_map_put(tx, map, &done, &on));
  CHECK(kiln_txn_commit(tx)); /* returns once the server acknowledged it */

  size_t len = 0;
  CHECK(kiln_map_len(c, map, &len));
  ASSERT(len == 6);
  CHECK(kiln_list_len(c, list, &len));
  ASSERT(len == 3);
  CHECK(kiln_list_get(c, list, 1, &got));
  ASSERT(kiln_value_type(got) == KILN_TYPE_I32);
  ASSERT(strcmp(kiln_value_type_name(got), "i32") == 0);
  kiln_value_free(got);
  CHECK(kiln_counter_get(c, counter, &n));
  ASSERT(n == 7);
  CHECK(kiln_object_get(c, obj, "", "host", &got));
  ASSERT(strcmp(str_of(got, buf, sizeof buf), "example.org") == 0);
  kiln_value_free(got);
  CHECK(kiln_client_flush(c));
  CHECK(kiln_client_close(c));
  printf("map_writer ok (%s)\n", kiln_version());
  return 0;
}
