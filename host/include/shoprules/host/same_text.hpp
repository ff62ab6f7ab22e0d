// The SDK's word-at-a-time text equality, under the host's namespace.
#pragma once

#include "shoprules/same_text.hpp"

namespace shoprules::host {

using shoprules::same_bytes;
using shoprules::same_text;

}  // namespace shoprules::host
