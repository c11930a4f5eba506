#include "hashed_dropout.h"

#include "platform/simd_clones.h"

#include <cmath>
#include <mutex>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

namespace alexnet {

namespace {

// murmur3's 32-bit finaliser: a bijection that mixes every input bit into every output bit.
inline std::uint32_t mix32(std::uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

// Two rounds keyed by the two halves of the key; the index's high half joins
// the second round so that tensors past 2^32 elements do not repeat.
inline std::uint32_t element_hash(std::uint64_t key, std::uint64_t index) {
  const std::uint32_t k0 = static_cast<std::uint32_t>(key);
  const std::uint32_t k1 = static_cast<std::uint32_t>(key >> 32);
  const std::uint32_t high = static_cast<std::uint32_t>(index >> 32);
  return mix32(mix32(static_cast<std::uint32_t>(index) ^ k0) + k1 + high * 0x9e3779b9u);
}

// Kept when the hash is at or above p * 2^32.
std::uint32_t threshold_for(double p) {
  const double t = std::floor(p * 4294967296.0);
  return t >= 4294967295.0 ? 0xffffffffu : static_cast<std::uint32_t>(t);
}

// out[i] = keep(i) ? in[i] * scale : 0, for elements first .. first + n of the tensor.
#define ALEXNET_DROPOUT_KERNEL(T)                                                                                  \
  ALEXNET_CLONES void masked_scale(const T* __restrict in, T* __restrict out, std::int64_t n, std::uint64_t first, \
                                   std::uint64_t key, std::uint32_t threshold, T scale) {                          \
    for (std::int64_t i = 0; i < n; ++i) {                                                                         \
      const bool keep = element_hash(key, first + std::uint64_t(i)) >= threshold;                                  \
      out[i] = keep ? in[i] * scale : T(0);                                                                        \
    }                                                                                                              \
  }

ALEXNET_DROPOUT_KERNEL(float)
ALEXNET_DROPOUT_KERNEL(double)

constexpr std::int64_t kGrain = 32768;

torch::Tensor apply_mask(const torch::Tensor& input, std::uint64_t key, double p) {
  const torch::Tensor x = input.contiguous();
  torch::Tensor y = torch::empty_like(x, torch::MemoryFormat::Contiguous);
  const std::uint32_t threshold = threshold_for(p);
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "hashed_dropout", [&] {
    const scalar_t* in = x.data_ptr<scalar_t>();
    scalar_t* out = y.data_ptr<scalar_t>();
    // torch's dropout multiplies by a mask holding 1 / (1 - p): the same factor.
    const scalar_t scale = scalar_t(1) / scalar_t(1 - p);
    at::parallel_for(0, x.numel(), kGrain, [&](std::int64_t begin, std::int64_t end) {
      masked_scale(in + begin, out + begin, end - begin, std::uint64_t(begin), key, threshold, scale);
    });
  });
  return y;
}

thread_local DropoutStream* current_stream = nullptr;

std::uint64_t draw_key() { return current_stream ? current_stream->next_key() : draw_from_global_generator(); }

class HashedDropout : public torch::autograd::Function<HashedDropout> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, double p) {
    const std::uint64_t key = draw_key();
    ctx->saved_data["key"] = static_cast<int64_t>(key);
    ctx->saved_data["p"] = p;
    return apply_mask(x, key, p);
  }

  // The gradient passes where the input did, with the same scale.
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto key = static_cast<std::uint64_t>(ctx->saved_data["key"].toInt());
    return {apply_mask(grads[0], key, ctx->saved_data["p"].toDouble()), torch::Tensor()};
  }
};

}  // namespace

std::uint64_t draw_from_global_generator() {
  const at::Generator& shared = at::detail::getDefaultCPUGenerator();
  at::Generator generator = shared;  // a handle to the same generator
  std::lock_guard<std::mutex> lock(generator.mutex());
  return at::check_generator<at::CPUGeneratorImpl>(generator)->random64();
}

DropoutStream::DropoutStream(std::uint64_t seed) : seed_(seed), outer_(current_stream) { current_stream = this; }

DropoutStream::~DropoutStream() { current_stream = outer_; }

// splitmix64 of the seed's n-th step: every key a full 64-bit mix of both.
std::uint64_t DropoutStream::next_key() {
  std::uint64_t z = seed_ + 0x9E3779B97F4A7C15ULL * ++drawn_;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

bool hashed_dropout_keeps(std::uint64_t key, std::uint64_t index, double p) {
  return element_hash(key, index) >= threshold_for(p);
}

torch::Tensor hashed_dropout(const torch::Tensor& x, double p, bool training) {
  TORCH_CHECK(p >= 0 && p < 1, "hashed_dropout: p must be in [0, 1), got ", p);
  if (!training || p == 0) return x;
  if (x.scalar_type() != torch::kFloat && x.scalar_type() != torch::kDouble) {
    return torch::dropout(x, p, true);  // bfloat16, half: torch's own
  }
  return HashedDropout::apply(x, p);
}

}  // namespace alexnet
