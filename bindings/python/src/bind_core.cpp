// Value types: Product (read-only view), Query (a plain record filled by the Python layer),
// geometry and time helpers, output formats. Times cross the boundary as integer
// microseconds since the Unix epoch (UTC); creodias/_convert.py turns them into aware
// datetimes, so no local-time conversion can creep in.

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <creodias/formats.hpp>
#include <creodias/geometry.hpp>
#include <creodias/product.hpp>
#include <creodias/query.hpp>
#include <creodias/readers.hpp>
#include <creodias/time.hpp>

namespace py = pybind11;

namespace creodias::python {

namespace {
std::optional<std::int64_t> opt_us(const std::optional<Timestamp>& t) {
    if (!t) return std::nullopt;
    return t->us;
}
std::optional<Timestamp> to_ts(const std::optional<std::int64_t>& us) {
    if (!us) return std::nullopt;
    return Timestamp{*us};
}
}  // namespace

void bind_core(py::module_& m) {
    py::class_<Checksum>(m, "Checksum")
        .def_readonly("algorithm", &Checksum::algorithm)
        .def_readonly("value", &Checksum::value)
        .def("__repr__", [](const Checksum& c) { return "Checksum(" + c.algorithm + ", " + c.value + ")"; });

    py::class_<ProductFile>(m, "ProductFile")
        .def_readonly("path", &ProductFile::path)
        .def_readonly("size", &ProductFile::size)
        .def_readonly("checksums", &ProductFile::checksums)
        .def_readonly("band", &ProductFile::band)
        .def_readonly("media_type", &ProductFile::media_type)
        .def_readonly("role", &ProductFile::role)
        .def("__repr__", [](const ProductFile& f) { return "ProductFile(" + f.path + ")"; });

    py::class_<Product>(m, "_Product")
        .def_readonly("id", &Product::id)
        .def_readonly("name", &Product::name)
        .def_readonly("collection", &Product::collection)
        .def_readonly("product_type", &Product::product_type)
        .def_readonly("processing_level", &Product::processing_level)
        .def_readonly("platform", &Product::platform)
        .def_readonly("instrument", &Product::instrument)
        .def_readonly("sensor_mode", &Product::sensor_mode)
        .def_property_readonly("sensing_start_us", [](const Product& p) { return p.sensing_start.us; })
        .def_property_readonly("sensing_end_us", [](const Product& p) { return p.sensing_end.us; })
        .def_property_readonly("published_us", [](const Product& p) { return opt_us(p.published); })
        .def_property_readonly("updated_us", [](const Product& p) { return opt_us(p.updated); })
        .def_property_readonly("footprint_geojson", [](const Product& p) { return p.footprint.to_geojson(); })
        .def_property_readonly("footprint_wkt", [](const Product& p) { return p.footprint.to_wkt(); })
        .def_readonly("cloud_cover", &Product::cloud_cover)
        .def_readonly("orbit_number", &Product::orbit_number)
        .def_readonly("relative_orbit", &Product::relative_orbit)
        .def_property_readonly("orbit_direction", [](const Product& p) { return std::string(to_string(p.orbit_direction)); })
        .def_readonly("tile_id", &Product::tile_id)
        .def_readonly("polarisations", &Product::polarisations)
        .def_readonly("processing_baseline", &Product::processing_baseline)
        .def_readonly("size", &Product::size)
        .def_readonly("checksums", &Product::checksums)
        .def_readonly("online", &Product::online)
        .def_readonly("path", &Product::path)
        .def_readonly("files", &Product::files)
        .def_readonly("extra_json", &Product::extra_json)
        .def("to_stac_json", [](const Product& p) { return to_stac_item(p); })
        .def("to_resto_json", [](const Product& p) { return to_resto_feature(p); });

    py::class_<Query>(m, "_Query")
        .def(py::init<>())
        .def_readwrite("ids", &Query::ids)
        .def_readwrite("collections", &Query::collections)
        .def_readwrite("product_types", &Query::product_types)
        .def_readwrite("processing_levels", &Query::processing_levels)
        .def_readwrite("platforms", &Query::platforms)
        .def_readwrite("instruments", &Query::instruments)
        .def_readwrite("sensor_modes", &Query::sensor_modes)
        .def("set_aoi_wkt", [](Query& q, const std::string& wkt) { q.aoi = Geometry::from_wkt(wkt); })
        .def("set_aoi_geojson", [](Query& q, const std::string& js) { q.aoi = Geometry::from_geojson(js); })
        .def("set_bbox", [](Query& q, const std::string& text) { q.aoi = Geometry::from_bbox(BBox::parse(text)); })
        .def("set_relation", [](Query& q, const std::string& r) { q.relation = parse_spatial_relation(r); })
        .def("set_sort", [](Query& q, const std::string& s) { std::tie(q.sort, q.order) = parse_sort(s); })
        .def("set_orbit_direction", [](Query& q, const std::string& d) { q.orbit_direction = parse_orbit_direction(d); })
        .def("set_sensing", [](Query& q, std::optional<std::int64_t> a, std::optional<std::int64_t> b, bool ai, bool bi) {
            q.sensing = TimeRange{to_ts(a), to_ts(b), ai, bi};
        })
        .def("set_published", [](Query& q, std::optional<std::int64_t> a, std::optional<std::int64_t> b) {
            q.published = TimeRange{to_ts(a), to_ts(b), true, true};
        })
        .def("set_updated", [](Query& q, std::optional<std::int64_t> a, std::optional<std::int64_t> b) {
            q.updated = TimeRange{to_ts(a), to_ts(b), true, true};
        })
        .def_readwrite("cloud_min", &Query::cloud_min)
        .def_readwrite("cloud_max", &Query::cloud_max)
        .def_readwrite("orbit_min", &Query::orbit_min)
        .def_readwrite("orbit_max", &Query::orbit_max)
        .def_readwrite("relative_orbits", &Query::relative_orbits)
        .def_readwrite("tile_ids", &Query::tile_ids)
        .def_readwrite("polarisations", &Query::polarisations)
        .def_readwrite("online", &Query::online)
        .def_readwrite("name_pattern", &Query::name_pattern)
        .def_readwrite("limit", &Query::limit)
        .def_readwrite("cursor", &Query::cursor)
        .def_readwrite("count", &Query::count)
        .def("validate", &Query::validate)
        .def("fingerprint", &Query::fingerprint);

    m.def("parse_datetime", [](const std::string& s) { return parse_datetime(s).us; },
          "ISO 8601 text -> microseconds since the epoch (UTC; naive times are UTC).");
    m.def("parse_datetime_end", [](const std::string& s) { return parse_datetime_end(s).us; });
    m.def("format_datetime", [](std::int64_t us) { return format_datetime(Timestamp{us}); });
    m.def("normalize_footprint_geojson", [](const std::string& js) {
        return normalize_footprint(Geometry::from_geojson(js)).to_geojson();
    });
    m.def("read_product", [](const std::string& path) { return read_product(path); }, py::arg("path"),
          py::call_guard<py::gil_scoped_release>(), "Reads one product's metadata from disk.");
    m.def("read_feature_collection", [](const std::string& json) { return read_feature_collection(json); },
          py::call_guard<py::gil_scoped_release>());
    m.def("canonical_collection", &canonical_collection);
}

}  // namespace creodias::python
