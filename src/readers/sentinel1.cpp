// STUB: to be replaced by the real reader.
#include "readers/readers_internal.hpp"
#include <creodias/error.hpp>
namespace creodias::detail {
Product read_sentinel1_safe(ProductSource&, const ReadOptions&) { throw Unsupported("sentinel1", "reader not implemented yet"); }
Product parse_sentinel1_manifest(std::string_view, std::string_view) { throw Unsupported("sentinel1", "reader not implemented yet"); }
}  // namespace creodias::detail
