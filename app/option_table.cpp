#include "option_table.h"

#include <iostream>
#include <sstream>

namespace alexnet::cli {

namespace {

// Wraps `text` at `width` columns, every line after the first indented by `indent`.
std::string wrap(const std::string& text, std::size_t first_column, std::size_t indent, std::size_t width) {
  std::istringstream words(text);
  std::string word, out;
  std::size_t column = first_column;
  bool first = true;
  while (words >> word) {
    if (!first && column + 1 + word.size() > width) {
      out += "\n" + std::string(indent, ' ');
      column = indent;
    } else if (!first) {
      out += ' ';
      ++column;
    }
    out += word;
    column += word.size();
    first = false;
  }
  return out;
}

std::string roff_escape(const std::string& text) {
  std::string out;
  for (char ch : text) {
    if (ch == '-') out += "\\-";
    else if (ch == '\\') out += "\\\\";
    else out += ch;
  }
  return out;
}

}  // namespace

OptionSpec option_spec(const std::vector<OptionGroup>& groups) {
  OptionSpec spec;
  for (const OptionGroup& g : groups) {
    for (const OptionDoc& o : g.options) (o.value.empty() ? spec.flags : spec.with_value).insert(o.name);
  }
  spec.flags.insert("help");
  spec.flags.insert("help-man");
  return spec;
}

std::string options_help(const std::vector<OptionGroup>& groups) {
  constexpr std::size_t kHelpColumn = 25, kWidth = 100;
  std::string out;
  for (const OptionGroup& g : groups) {
    if (!g.heading.empty()) out += "\n" + g.heading + ":\n";
    for (const OptionDoc& o : g.options) {
      if (o.hidden) continue;
      std::string left = "  --" + o.name + (o.value.empty() ? "" : " " + o.value);
      if (left.size() + 1 > kHelpColumn) {
        out += left + "\n" + std::string(kHelpColumn, ' ');
      } else {
        out += left + std::string(kHelpColumn - left.size(), ' ');
      }
      out += wrap(o.help, kHelpColumn, kHelpColumn, kWidth) + "\n";
    }
  }
  return out;
}

std::string options_man(const std::vector<OptionGroup>& groups) {
  std::string out;
  for (const OptionGroup& g : groups) {
    if (!g.heading.empty()) out += ".PP\n" + roff_escape(g.heading) + ":\n";
    for (const OptionDoc& o : g.options) {
      if (o.hidden) continue;
      out += o.value.empty() ? ".TP\n.B \\-\\-" + roff_escape(o.name) + "\n"
                             : ".TP\n.BI \"\\-\\-" + roff_escape(o.name) + " \" " + o.value + "\n";
      out += roff_escape(o.help) + "\n";
    }
  }
  return out;
}

OptionSpec option_spec(const CommandDoc& command) { return option_spec(command.groups); }

std::string command_help(const CommandDoc& command) { return command.synopsis + options_help(command.groups); }

bool answered_help(const ParsedArgs& parsed, const CommandDoc& command) {
  if (parsed.flag("help")) {
    std::cout << command_help(command);
    return true;
  }
  if (parsed.flag("help-man")) {
    std::cout << options_man(command.groups);
    return true;
  }
  return false;
}

const OptionDoc* find_option(const std::vector<OptionGroup>& groups, const std::string& name) {
  for (const OptionGroup& g : groups) {
    for (const OptionDoc& o : g.options) {
      if (o.name == name) return &o;
    }
  }
  return nullptr;
}

}  // namespace alexnet::cli
