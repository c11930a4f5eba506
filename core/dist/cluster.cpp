// The one file that sees c10d: its headers need USE_C10D_GLOO and Debian's
// libgloo-dev; the symbols are in libtorch_cpu.
#define USE_C10D_GLOO 1

#include "dist/cluster.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include <glog/logging.h>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

namespace alexnet {

namespace {

// c10 errors carry a backtrace after the message; a user needs the message.
std::string message_of(const std::exception& e) {
  if (const auto* c10_error = dynamic_cast<const c10::Error*>(&e)) return c10_error->what_without_backtrace();
  std::string text = e.what();
  const auto cut = text.find("\nException raised from");
  return cut == std::string::npos ? text : text.substr(0, cut);
}

std::vector<std::uint8_t> bytes_of(const std::string& text) { return {text.begin(), text.end()}; }
std::string text_of(const std::vector<std::uint8_t>& bytes) { return {bytes.begin(), bytes.end()}; }

std::string ranks_list(const std::vector<int>& ranks) {
  std::string text = ranks.size() == 1 ? "rank " : "ranks ";
  for (std::size_t i = 0; i < ranks.size(); ++i) text += (i ? ", " : "") + std::to_string(ranks[i]);
  return text;
}

// The address of this machine that packets to the master leave from: the one
// Gloo must listen on so that the other ranks can reach this one. A UDP
// "connect" only chooses the route; nothing is sent.
std::string local_address_towards(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  const int status = getaddrinfo(host.c_str(), std::to_string(port > 0 ? port : 1).c_str(), &hints, &found);
  if (status != 0 || !found) {
    throw DistError("cannot resolve the master's address " + host + ": " + gai_strerror(status));
  }
  std::string address;
  const int fd = socket(found->ai_family, SOCK_DGRAM, 0);
  if (fd >= 0 && connect(fd, found->ai_addr, found->ai_addrlen) == 0) {
    sockaddr_storage local{};
    socklen_t length = sizeof(local);
    char text[INET6_ADDRSTRLEN] = {};
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) == 0) {
      const void* raw = local.ss_family == AF_INET6
                            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(&local)->sin6_addr)
                            : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(&local)->sin_addr);
      if (inet_ntop(local.ss_family, raw, text, sizeof(text))) address = text;
    }
  }
  if (fd >= 0) close(fd);
  freeaddrinfo(found);
  if (address.empty()) throw DistError("no network route from this machine to the master " + host);
  return address;
}

}  // namespace

struct Cluster::Impl {
  DistSettings settings;
  int port = 0;
  c10::intrusive_ptr<c10d::TCPStore> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;

  std::string master() const { return settings.master_host + ":" + std::to_string(port); }

  // Which ranks are gone, asked after a collective failed: every survivor
  // leaves a mark in the rendezvous; whoever has none after a grace period
  // stopped answering. Without the rendezvous, rank 0 itself is gone.
  std::string missing_ranks() {
    try {
      store->setTimeout(std::chrono::seconds(5));
      store->set("alexnet/alive/" + std::to_string(settings.rank), bytes_of("1"));
      std::this_thread::sleep_for(std::chrono::seconds(2));
      std::vector<int> missing;
      for (int r = 0; r < settings.world_size; ++r) {
        if (!store->check({"alexnet/alive/" + std::to_string(r)})) missing.push_back(r);
      }
      if (missing.empty()) return "another rank failed";
      return ranks_list(missing) + " of " + std::to_string(settings.world_size) +
             " stopped answering (killed, crashed, stuck or cut off)";
    } catch (const std::exception&) {
      return "rank 0 (the master at " + master() + ") is gone";
    }
  }

  [[noreturn]] void fail(const std::string& during, const std::exception& e) {
    const std::string detail = message_of(e);
    throw DistError(during + ": " + missing_ranks() + " [" + detail + "]");
  }

  template <typename Start>
  void run(const std::string& during, Start&& start) {
    wait(during, begin(during, std::forward<Start>(start)));
  }

  template <typename Start>
  c10::intrusive_ptr<c10d::Work> begin(const std::string& during, Start&& start) {
    try {
      return start();
    } catch (const std::exception& e) {
      fail(during, e);
    }
  }

  void wait(const std::string& during, const c10::intrusive_ptr<c10d::Work>& work) {
    try {
      work->wait();
    } catch (const DistError&) {
      throw;
    } catch (const std::exception& e) {
      fail(during, e);
    }
  }
};

Cluster::Cluster() = default;
Cluster::Cluster(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Cluster::~Cluster() = default;

std::unique_ptr<Cluster> Cluster::join(const DistSettings& settings, const std::function<void(int)>& on_listening) {
  if (settings.world_size < 1 || settings.rank < 0 || settings.rank >= settings.world_size) {
    throw DistError("rank " + std::to_string(settings.rank) + " is not in a world of " +
                    std::to_string(settings.world_size) + " (ranks are 0 to world size - 1)");
  }
  if (settings.world_size == 1) return std::make_unique<Cluster>();
  // c10d logs its failures through glog before throwing them; the messages
  // below say the same with the rank and what to do, so only fatal lines stay.
  FLAGS_minloglevel = std::max(FLAGS_minloglevel, 3);
  auto impl = std::make_unique<Impl>();
  impl->settings = settings;
  impl->port = settings.master_port;
  const std::chrono::milliseconds timeout = std::chrono::seconds(std::max(1, settings.timeout_seconds));
  const bool master = settings.rank == 0;

  c10d::TCPStoreOptions options;
  options.port = static_cast<std::uint16_t>(settings.master_port);
  options.isServer = master;
  options.numWorkers = static_cast<std::size_t>(settings.world_size);
  options.waitWorkers = false;  // the Gloo group's own rendezvous waits, under the same timeout
  options.timeout = timeout;
  try {
    impl->store = c10::make_intrusive<c10d::TCPStore>(settings.master_host, options);
  } catch (const std::exception& e) {
    throw DistError(master ? "rank 0 cannot host the rendezvous on port " + std::to_string(settings.master_port) +
                                 " (is it in use? choose another with --master HOST:PORT): " + message_of(e)
                           : "rank " + std::to_string(settings.rank) + " cannot reach the master at " + impl->master() +
                                 " within " + std::to_string(settings.timeout_seconds) +
                                 " s (is rank 0 running there, and the port open?): " + message_of(e));
  }
  impl->port = impl->store->getPort();
  if (master && on_listening) on_listening(impl->port);

  auto group_options = c10d::ProcessGroupGloo::Options::create(timeout);
  try {
    group_options->devices.push_back(
        settings.interface.empty()
            ? c10d::ProcessGroupGloo::createDeviceForHostname(local_address_towards(settings.master_host, impl->port))
            : c10d::ProcessGroupGloo::createDeviceForInterface(settings.interface));
  } catch (const DistError&) {
    throw;
  } catch (const std::exception& e) {
    throw DistError("cannot open a Gloo device" +
                    (settings.interface.empty() ? std::string() : " on interface " + settings.interface) + ": " +
                    message_of(e));
  }
  group_options->threads = 1;  // the collectives are one flat buffer at a time; the cores train
  try {
    impl->group =
        c10::make_intrusive<c10d::ProcessGroupGloo>(impl->store, settings.rank, settings.world_size, group_options);
  } catch (const std::exception& e) {
    throw DistError("not every one of the " + std::to_string(settings.world_size) + " ranks joined the run at " +
                    impl->master() + " within " + std::to_string(settings.timeout_seconds) + " s: " + message_of(e));
  }
  return std::unique_ptr<Cluster>(new Cluster(std::move(impl)));
}

int Cluster::rank() const { return impl_ ? impl_->settings.rank : 0; }
int Cluster::size() const { return impl_ ? impl_->settings.world_size : 1; }

std::string Cluster::agree(const std::string& settings, const std::function<std::string(const std::string&)>& check) {
  if (!impl_) return settings;
  c10d::TCPStore& store = *impl_->store;
  const int rank = impl_->settings.rank;
  try {
    std::string common = settings;
    if (rank == 0) {
      store.set("alexnet/settings", bytes_of(settings));
      std::string refusals;
      for (int r = 1; r < impl_->settings.world_size; ++r) {
        const std::string verdict = text_of(store.get("alexnet/verdict/" + std::to_string(r)));
        if (!verdict.empty())
          refusals += (refusals.empty() ? "" : "; ") + ("rank " + std::to_string(r) + ": " + verdict);
      }
      store.set("alexnet/outcome", bytes_of(refusals));
    } else {
      common = text_of(store.get("alexnet/settings"));
      store.set("alexnet/verdict/" + std::to_string(rank), bytes_of(check(common)));
    }
    const std::string outcome = text_of(store.get("alexnet/outcome"));
    if (!outcome.empty()) {
      throw DistError(
          "the ranks were started with different settings, so they would not train the same "
          "experiment; start every rank with the same options (or none but --world-size, --rank and "
          "--master on ranks other than 0): " +
          outcome);
    }
    return common;
  } catch (const DistError&) {
    throw;
  } catch (const std::exception& e) {
    impl_->fail("comparing the ranks' settings", e);
  }
}

void Cluster::sum(torch::Tensor& values) {
  if (!impl_) return;
  std::vector<at::Tensor> tensors{values};
  impl_->run("summing across ranks", [&] { return impl_->group->allreduce(tensors, {c10d::ReduceOp::SUM}); });
}

std::function<void()> Cluster::start_sum(const torch::Tensor& values) {
  if (!impl_) return [] {};
  std::vector<at::Tensor> tensors{values};  // the work keeps its own copy of the list
  Impl* impl = impl_.get();
  const char* during = "summing across ranks";
  c10::intrusive_ptr<c10d::Work> work =
      impl->begin(during, [&] { return impl->group->allreduce(tensors, {c10d::ReduceOp::SUM}); });
  return [impl, work, during] { impl->wait(during, work); };
}

void Cluster::max(torch::Tensor& values) {
  if (!impl_) return;
  std::vector<at::Tensor> tensors{values};
  impl_->run("agreeing across ranks", [&] { return impl_->group->allreduce(tensors, {c10d::ReduceOp::MAX}); });
}

void Cluster::broadcast(torch::Tensor& values) {
  if (!impl_) return;
  std::vector<at::Tensor> tensors{values};
  impl_->run("broadcasting from rank 0", [&] { return impl_->group->broadcast(tensors); });
}

std::string Cluster::broadcast_bytes(const std::string& bytes) {
  if (!impl_) return bytes;
  torch::Tensor length = torch::tensor({static_cast<std::int64_t>(bytes.size())}, torch::kInt64);
  broadcast(length);
  torch::Tensor buffer = torch::empty({length.item<std::int64_t>()}, torch::kUInt8);
  if (rank() == 0) std::memcpy(buffer.data_ptr(), bytes.data(), bytes.size());
  broadcast(buffer);
  return std::string(static_cast<const char*>(buffer.data_ptr()), static_cast<std::size_t>(buffer.numel()));
}

}  // namespace alexnet
