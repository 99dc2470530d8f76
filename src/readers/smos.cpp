// STUB: to be replaced by the real reader.
#include "readers/readers_internal.hpp"
#include <creodias/error.hpp>
namespace creodias::detail {
Product read_smos_hdr(const std::filesystem::path&, const ReadOptions&) { throw Unsupported("smos", "reader not implemented yet"); }
Product parse_smos_hdr(std::string_view, std::string_view) { throw Unsupported("smos", "reader not implemented yet"); }
}  // namespace creodias::detail
