// STUB: to be replaced by the real reader.
#include "readers/readers_internal.hpp"
#include <creodias/error.hpp>
namespace creodias::detail {
Product read_envisat(const std::filesystem::path&, const ReadOptions&) { throw Unsupported("envisat", "reader not implemented yet"); }
Product parse_envisat_header(std::string_view, std::string_view) { throw Unsupported("envisat", "reader not implemented yet"); }
}  // namespace creodias::detail
