// STUB: to be replaced by the real reader.
#include "readers/readers_internal.hpp"
#include <creodias/error.hpp>
namespace creodias::detail {
Product read_sentinel2_safe(ProductSource&, const ReadOptions&) { throw Unsupported("sentinel2", "reader not implemented yet"); }
Product parse_sentinel2_mtd(std::string_view, std::string_view) { throw Unsupported("sentinel2", "reader not implemented yet"); }
}  // namespace creodias::detail
