#pragma once
// What a store throws when it cannot answer a read: it cannot be reached, a file or a query failed,
// or what it holds is not what it wrote (a missing subtree, a malformed hash). The API answers it
// with 503 "store unavailable", once, at its boundary; any other exception is a bug and gets 500.
#include <stdexcept>
#include <string>

namespace dg {

struct StoreError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace dg
