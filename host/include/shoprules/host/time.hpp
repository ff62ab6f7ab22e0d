// ISO-8601 parsing into shoprules::Timestamp, without locale or time-zone database.
#pragma once

#include <cstdint>
#include <string_view>

namespace shoprules::host {

/// Days since 1970-01-01 of a proleptic Gregorian date.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);

/// Parses "YYYY-MM-DD" (midnight UTC) or "YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+HH:MM|-HH:MM]" (no zone
/// means UTC) into seconds since the epoch. False when the text is not such a time.
bool parse_time(std::string_view text, std::int64_t& seconds);

}  // namespace shoprules::host
