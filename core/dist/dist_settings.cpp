#include "dist/dist_settings.h"

#include <stdexcept>

namespace alexnet {

std::pair<std::string, int> parse_host_port(const std::string& text) {
  const auto colon = text.rfind(':');
  const auto bad = [&](const std::string& why) {
    return std::invalid_argument("\"" + text + "\" is not HOST:PORT: " + why);
  };
  if (colon == std::string::npos || colon == 0) throw bad("no host before the colon");
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port_text = text.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos) {
    throw bad("the port must be a number from 1 to 65535");
  }
  const int port = std::stoi(port_text);
  if (port < 1 || port > 65535) throw bad("the port must be a number from 1 to 65535");
  return {host, port};
}

}  // namespace alexnet
