// A C++ program using libkiln through the same header as C (its extern "C" guards), with a
// small RAII wrapper. Usage: cpp_example HOST:PORT|tc-config.xml
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

#include "kiln.h"

namespace {

// Throws on any result but KILN_RESULT_OK, with the thread's last error message.
void check(kiln_result r) {
  if (r != KILN_RESULT_OK) {
    throw std::runtime_error(std::string(kiln_result_name(r)) + ": " + kiln_last_error_message());
  }
}

struct ClientCloser {
  void operator()(kiln_client *c) const { kiln_client_close(c); }
};
struct ValueFree {
  void operator()(kiln_value *v) const { kiln_value_free(v); }
};
using Client = std::unique_ptr<kiln_client, ClientCloser>;
using Value = std::unique_ptr<kiln_value, ValueFree>;

// A transaction committed when it goes out of scope (unless committed explicitly).
class Txn {
 public:
  Txn(const kiln_client *c, const char *lock) { check(kiln_lock_named(c, lock, KILN_LOCK_LEVEL_WRITE, &tx_)); }
  Txn(const Txn &) = delete;
  Txn &operator=(const Txn &) = delete;
  ~Txn() {
    if (tx_ != nullptr) kiln_txn_commit(tx_);
  }
  void commit() {
    kiln_txn *t = tx_;
    tx_ = nullptr;
    check(kiln_txn_commit(t));
  }
  kiln_txn *get() { return tx_; }

 private:
  kiln_txn *tx_ = nullptr;
};

std::string as_string(const kiln_value *v) {
  const char *p = nullptr;
  size_t n = 0;
  check(kiln_value_str(v, &p, &n));
  return std::string(p, n);
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s HOST:PORT|tc-config.xml\n", argv[0]);
    return 2;
  }
  try {
    kiln_client *raw = nullptr;
    check(kiln_client_connect(argv[1], "cpp-example", 30000, &raw));
    Client client(raw);
    uint64_t map = 0;
    check(kiln_root_map(client.get(), "cpp", &map));
    {
      Txn tx(client.get(), "cpp");
      kiln_val k = kiln_val_str("lang"), v = kiln_val_str("C++");
      check(kiln_map_put(tx.get(), map, &k, &v));
      tx.commit();
    }
    kiln_val k = kiln_val_str("lang");
    kiln_value *got = nullptr;
    check(kiln_map_get(client.get(), map, &k, &got));
    Value value(got);
    std::printf("cpp_example: lang = %s (%s)\n", as_string(value.get()).c_str(), kiln_version());
    value.reset();
    check(kiln_client_close(client.release()));
  } catch (const std::exception &e) {
    std::fprintf(stderr, "cpp_example: %s\n", e.what());
    return 1;
  }
  return 0;
}
