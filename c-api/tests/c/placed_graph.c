/* Placement over several stripes: argv[1] a connect string of two stripes, argv[2] a root name
 * of stripe 1, argv[3] a lock name of stripe 0, argv[4] the chain's length. Under the lock, a
 * chain of new objects hung off the root's map is created with kiln_object_create_near (each
 * near the object that links it): every one gets an id of the root's stripe. An object made with
 * plain kiln_object_create gets the lock's stripe. */
#include "common.h"

#include <inttypes.h>

int main(int argc, char **argv) {
  ASSERT(argc == 5);
  int n = atoi(argv[4]);
  kiln_client *c = NULL;
  CHECK(kiln_client_connect(argv[1], "c-placer", 30000, &c));
  uint8_t root_stripe = 99;
  CHECK(kiln_root_stripe(c, argv[2], &root_stripe));
  ASSERT(root_stripe == 1);
  uint64_t map = 0;
  CHECK(kiln_root_map(c, argv[2], &map));
  ASSERT((map >> 56) == root_stripe);

  kiln_txn *tx = NULL;
  CHECK(kiln_lock_named(c, argv[3], KILN_LOCK_LEVEL_WRITE, &tx));
  uint64_t near = map, first = 0;
  for (int i = 0; i < n; i++) {
    uint64_t node = 0;
    CHECK(kiln_object_create_near(tx, near, "c.Node", &node));
    ASSERT((node >> 56) == root_stripe);
    kiln_val num = kiln_val_i32(i), ref = kiln_val_ref(node);
    CHECK(kiln_object_set(tx, node, "c.Node", "n", &num));
    if (i == 0) {
      kiln_val key = kiln_val_str("chain");
      CHECK(kiln_map_put(tx, map, &key, &ref));
      first = node;
    } else {
      CHECK(kiln_object_set(tx, near, "c.Node", "next", &ref));
    }
    near = node;
  }
  uint64_t loose = 0;
  CHECK(kiln_object_create(tx, "c.Node", &loose));
  ASSERT((loose >> 56) == 0); /* the lock's stripe */
  kiln_val key = kiln_val_str("loose"), ref = kiln_val_ref(loose);
  CHECK(kiln_map_put(tx, map, &key, &ref));
  CHECK(kiln_txn_commit(tx));
  CHECK(kiln_client_flush(c));
  CHECK(kiln_client_close(c));
  printf("placed_graph ok: %d on stripe %u from %" PRIu64 ", loose %" PRIu64 "\n", n,
         (unsigned)root_stripe, first, loose);
  return 0;
}
