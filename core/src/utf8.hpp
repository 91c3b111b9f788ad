// Internal: validation of MQTT UTF-8 strings (section 1.5.4).
#pragma once

#include <string_view>
#include <system_error>

namespace mqttws::detail {

/// Well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, at most U+10FFFF) without
/// U+0000. When `wildcard` is given it is set to whether '+' or '#' occurs, so topic checks
/// need one pass over the bytes. Errors: invalid_utf8, null_character.
std::error_code validate_utf8(std::string_view s, bool* wildcard = nullptr) noexcept;

}  // namespace mqttws::detail
