// The loader's error callback, for the parts of the loader that live in their own files
// (decentralized_config, compression_config): raises "<file>: <pointer>: expected <what>".
#pragma once
#include <functional>
#include <string>

namespace flemu {

/// Raises the loader's error "<file>: <pointer>: expected <what>"; never returns.
using Complain = std::function<void(const std::string& pointer, const std::string& expected)>;

}  // namespace flemu
