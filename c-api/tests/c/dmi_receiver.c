/* Receives what a Rust client sends: distributed calls (all nodes and resident-only), change
 * notices of a subscribed map, membership events. Prints READY once registered, then waits
 * (30 s at most) until it has seen everything.
 * Usage: dmi_receiver HOST:PORT */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <time.h>

#include "common.h"

struct seen {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int calls;          /* "price" calls seen */
  int lonely;         /* resident-only calls on an object not resident here: must stay 0 */
  int resident;       /* resident-only call on the subscribed map */
  int changes;        /* change notices of the map */
  int joined;         /* "rust-sender" joined */
  int left;           /* "rust-sender" left */
  int close_refused;  /* kiln_client_close from a callback was refused */
  kiln_client *client;
  uint64_t map;
  char symbol[64];
  int64_t price;
};

static void on_price(void *ud, const kiln_dmi_event *ev) {
  struct seen *s = (struct seen *)ud;
  pthread_mutex_lock(&s->mu);
  ASSERT(strcmp(ev->method, "price") == 0);
  ASSERT(ev->nargs == 2);
  char sym[64];
  str_of(ev->args[0], sym, sizeof sym);
  int64_t p = 0;
  CHECK(kiln_value_i64(ev->args[1], &p));
  if (strcmp(sym, "LONELY") == 0) {
    s->lonely++;
  } else if (strcmp(sym, "RESIDENT") == 0) {
    ASSERT(ev->receiver == s->map);
    s->resident++;
  } else {
    memcpy(s->symbol, sym, sizeof sym);
    s->price = p;
    s->calls++;
  }
  pthread_cond_broadcast(&s->cv);
  pthread_mutex_unlock(&s->mu);
}

static void on_change(void *ud, const kiln_change_event *ev) {
  struct seen *s = (struct seen *)ud;
  /* Callbacks may call libkiln: read the changed map (resident, no round trip)... */
  size_t len = 0;
  CHECK(kiln_map_len(s->client, ev->oid, &len));
  /* ...but not close the client. */
  EXPECT(kiln_client_close(s->client), KILN_RESULT_ILLEGAL_STATE, "from one of its callbacks");
  pthread_mutex_lock(&s->mu);
  ASSERT(ev->oid == s->map && ev->root == NULL && ev->from_client != 0);
  s->changes++;
  s->close_refused = 1;
  pthread_cond_broadcast(&s->cv);
  pthread_mutex_unlock(&s->mu);
}

static void on_member(void *ud, const kiln_member_event *ev) {
  struct seen *s = (struct seen *)ud;
  pthread_mutex_lock(&s->mu);
  if (ev->name != NULL && strcmp(ev->name, "rust-sender") == 0) {
    if (ev->kind == KILN_MEMBER_KIND_JOINED) {
      ASSERT(ev->node_id != 0 && ev->addr != NULL);
      s->joined++;
    }
    if (ev->kind == KILN_MEMBER_KIND_LEFT) s->left++;
  }
  pthread_cond_broadcast(&s->cv);
  pthread_mutex_unlock(&s->mu);
}

static int complete(const struct seen *s) {
  return s->calls >= 1 && s->resident >= 1 && s->changes >= 1 && s->joined >= 1 && s->left >= 1;
}

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  struct seen s;
  memset(&s, 0, sizeof s);
  pthread_mutex_init(&s.mu, NULL);
  pthread_cond_init(&s.cv, NULL);
  CHECK(kiln_client_connect(argv[1], "c-receiver", 30000, &s.client));
  CHECK(kiln_root_map(s.client, "prices", &s.map));
  CHECK(kiln_on_dmi(s.client, "price", on_price, &s));
  CHECK(kiln_on_membership(s.client, on_member, &s));
  kiln_subscription *sub = NULL;
  CHECK(kiln_subscribe(s.client, s.map, on_change, &s, &sub));
  printf("READY %llu\n", (unsigned long long)s.map);
  fflush(stdout);

  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += 60;
  pthread_mutex_lock(&s.mu);
  while (!complete(&s)) {
    if (pthread_cond_timedwait(&s.cv, &s.mu, &deadline) != 0) break;
  }
  int ok = complete(&s) && s.lonely == 0 && s.close_refused;
  printf("calls=%d resident=%d lonely=%d changes=%d joined=%d left=%d symbol=%s price=%lld\n",
         s.calls, s.resident, s.lonely, s.changes, s.joined, s.left, s.symbol,
         (long long)s.price);
  pthread_mutex_unlock(&s.mu);
  kiln_subscription_free(sub);
  CHECK(kiln_client_close(s.client));
  pthread_cond_destroy(&s.cv);
  pthread_mutex_destroy(&s.mu);
  return ok ? 0 : 1;
}
