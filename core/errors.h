// One hierarchy for everything AlexNet Lab refuses or fails at, so a caller
// (app/main.cpp, the window) can tell a refusal from a bug without including
// the headers (and libtorch) of the code that threw it.
#pragma once

#include <stdexcept>
#include <string>

namespace alexnet {

enum class ErrorKind {
  Data,         // a data set: the file and what is wrong with it
  Spec,         // a variant spec: what is wrong and where
  RunFolder,    // a run folder that cannot be read or written: the file
  Export,       // an export that cannot be made, written or read back
  Picture,      // a picture that cannot be used: the file
  Distributed,  // processes that cannot work together: master, port or ranks
  Usage,        // a command line that does not make sense
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }
  // Bad input the user can fix, whose message names the file and the problem
  // by itself; the others (processes, pictures mid-run) read better labelled.
  bool refused_input() const {
    return kind_ == ErrorKind::Data || kind_ == ErrorKind::Spec || kind_ == ErrorKind::RunFolder ||
           kind_ == ErrorKind::Export;
  }

 private:
  ErrorKind kind_;
};

// The kinds by name, so a catch can be as narrow as before.
template <ErrorKind K>
class KindedError : public Error {
 public:
  explicit KindedError(const std::string& message) : Error(K, message) {}
};

using DataError = KindedError<ErrorKind::Data>;
using SpecError = KindedError<ErrorKind::Spec>;
using StoreError = KindedError<ErrorKind::RunFolder>;
using ExportError = KindedError<ErrorKind::Export>;
using PictureError = KindedError<ErrorKind::Picture>;
using DistError = KindedError<ErrorKind::Distributed>;

}  // namespace alexnet
