#pragma once
#include <stdexcept>

namespace alexnet {

// An export that cannot be made, written or read back: the message names the file or layer.
class ExportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace alexnet
