// STUB: to be replaced by the real reader.
#include "readers/readers_internal.hpp"
#include <creodias/error.hpp>
namespace creodias::detail {
Product read_landsat_mtl(const std::filesystem::path&, const ReadOptions&) { throw Unsupported("landsat", "reader not implemented yet"); }
Product parse_landsat_mtl(std::string_view, std::string_view) { throw Unsupported("landsat", "reader not implemented yet"); }
}  // namespace creodias::detail
