#include "util/sha.h"

// The one-algorithm functions are marked deprecated in OpenSSL 3 in favour of
// EVP, and still maintained; see util/sha.h for why wharf uses them.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

namespace wharf {
namespace {

template <class Context>
Context* context(unsigned char* state) {
  return reinterpret_cast<Context*>(state);
}

}  // namespace

Sha1::Sha1() {
  static_assert(sizeof(SHA_CTX) <= kStateSize && alignof(SHA_CTX) <= 8);
  SHA1_Init(context<SHA_CTX>(state_));
}

void Sha1::update(std::string_view bytes) { SHA1_Update(context<SHA_CTX>(state_), bytes.data(), bytes.size()); }

std::array<std::uint8_t, 20> Sha1::digest() {
  std::array<std::uint8_t, 20> out{};
  SHA1_Final(out.data(), context<SHA_CTX>(state_));
  return out;
}

Sha256::Sha256() {
  static_assert(sizeof(SHA256_CTX) <= kStateSize && alignof(SHA256_CTX) <= 8);
  SHA256_Init(context<SHA256_CTX>(state_));
}

void Sha256::update(std::string_view bytes) { SHA256_Update(context<SHA256_CTX>(state_), bytes.data(), bytes.size()); }

std::array<std::uint8_t, 32> Sha256::digest() {
  std::array<std::uint8_t, 32> out{};
  SHA256_Final(out.data(), context<SHA256_CTX>(state_));
  return out;
}

}  // namespace wharf
