// STUB: to be replaced by the real reader.
#include <creodias/readers.hpp>
#include <creodias/error.hpp>
namespace creodias {
Product product_from_stac_item(std::string_view) { throw Unsupported("stac", "reader not implemented yet"); }
std::vector<Product> read_feature_collection(std::string_view) { throw Unsupported("stac", "reader not implemented yet"); }
}  // namespace creodias
