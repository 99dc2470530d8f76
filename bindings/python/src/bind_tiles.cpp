// Tiles: band sources, the renderer (numpy in and out), encoders and the tile server.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <creodias/access.hpp>
#include <creodias/error.hpp>
#include <creodias/image.hpp>
#include <creodias/render.hpp>
#include <creodias/server.hpp>
#include <creodias/style.hpp>
#include <creodias/tile_matrix_set.hpp>

#include <cstring>
#include <memory>

namespace py = pybind11;

namespace creodias::python {
namespace {

Style make_style(const std::string& style, const std::string& expression, const std::vector<std::string>& rescale,
                 const std::string& colormap, double gamma) {
    if (!expression.empty()) return custom_style(expression, rescale, colormap, gamma);
    if (style.empty()) throw InvalidArgument("tiles", "give a style or an expression");
    Style s = style_preset(style);
    if (!rescale.empty()) s.rescale = custom_style(s.expression.text(), rescale).rescale;
    if (!colormap.empty()) s.colormap = Colormap::parse(colormap);
    s.gamma = gamma;
    return s;
}

RenderRequest make_request(const std::string& crs, std::array<double, 4> extent, int width, int height, Style style,
                           const std::string& resampling, bool cloud_mask, double timeout) {
    RenderRequest r;
    r.target.crs = crs;
    r.target.extent = {extent[0], extent[1], extent[2], extent[3]};
    r.target.width = width;
    r.target.height = height;
    r.style = std::move(style);
    r.resampling = parse_resampling(resampling);
    r.cloud_mask = cloud_mask;
    r.timeout_seconds = timeout;
    return r;
}

py::array_t<std::uint8_t> image_array(Image&& img) {
    auto* holder = new Image(std::move(img));
    py::capsule owner(holder, [](void* p) { delete static_cast<Image*>(p); });
    return py::array_t<std::uint8_t>({holder->height, holder->width, 4}, holder->rgba.data(), owner);
}

Image from_array(const py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>& a) {
    if (a.ndim() != 3 || (a.shape(2) != 4 && a.shape(2) != 3))
        throw InvalidArgument("tiles", "expected an array of shape (height, width, 4) or (height, width, 3), uint8");
    Image img(static_cast<int>(a.shape(1)), static_cast<int>(a.shape(0)));
    const auto* src = a.data();
    const std::size_t n = static_cast<std::size_t>(img.width) * static_cast<std::size_t>(img.height);
    if (a.shape(2) == 4) {
        std::memcpy(img.rgba.data(), src, n * 4);
    } else {
        for (std::size_t i = 0; i < n; ++i) {
            img.rgba[i * 4] = src[i * 3];
            img.rgba[i * 4 + 1] = src[i * 3 + 1];
            img.rgba[i * 4 + 2] = src[i * 3 + 2];
            img.rgba[i * 4 + 3] = 255;
        }
    }
    return img;
}

}  // namespace

void bind_tiles(py::module_& m) {
    py::class_<SourceSet, std::shared_ptr<SourceSet>>(m, "_SourceSet")
        .def_readonly("name", &SourceSet::name)
        .def_readonly("collection", &SourceSet::collection)
        .def("band_names", &SourceSet::band_names)
        .def("__repr__", [](const SourceSet& s) { return "SourceSet(" + s.name + ")"; });

    m.def("_product_sources",
          [](const Product& p, const ProductAccess& a) {
              py::gil_scoped_release nogil;
              return std::make_shared<SourceSet>(product_sources(p, a));
          });
    m.def("_file_sources", [](const std::vector<std::string>& specs, const std::string& name) {
        return std::make_shared<SourceSet>(file_sources(specs, name));
    });

    m.def("tile_extent", [](const std::string& tms, int z, std::int64_t x, std::int64_t y, int tile_size) {
        const auto& set = TileMatrixSet::get(tms, tile_size);
        auto t = RenderTarget::tile(set, {z, x, y});
        return py::make_tuple(t.crs, py::make_tuple(t.extent.min_x, t.extent.min_y, t.extent.max_x, t.extent.max_y),
                              t.width, t.height);
    });
    m.def("style_ids", [] {
        std::vector<std::string> ids;
        for (const auto& s : style_presets()) ids.push_back(s.id);
        return ids;
    });
    m.def("colormap_names", &Colormap::names);

    py::class_<Renderer, std::shared_ptr<Renderer>>(m, "_Renderer")
        .def(py::init([](std::size_t block_cache_mb) {
                 RendererOptions o;
                 o.block_cache_mb = block_cache_mb;
                 return std::make_shared<Renderer>(o);
             }),
             py::arg("block_cache_mb") = 512)
        .def("render",
             [](const Renderer& r, const std::vector<std::shared_ptr<SourceSet>>& sources, const std::string& crs,
                std::array<double, 4> extent, int width, int height, const std::string& style,
                const std::string& expression, const std::vector<std::string>& rescale, const std::string& colormap,
                double gamma, const std::string& resampling, bool cloud_mask, double timeout) {
                 auto req = make_request(crs, extent, width, height, make_style(style, expression, rescale, colormap, gamma),
                                         resampling, cloud_mask, timeout);
                 std::vector<SourceSet> list;
                 for (const auto& s : sources) list.push_back(*s);
                 Image img;
                 RenderStats st;
                 {
                     py::gil_scoped_release nogil;
                     img = r.render(list, req, &st);
                 }
                 return py::make_tuple(image_array(std::move(img)), st.sources_read, st.coverage);
             })
        .def("read",
             [](const Renderer& r, const std::vector<std::shared_ptr<SourceSet>>& sources, const std::string& crs,
                std::array<double, 4> extent, int width, int height, const std::vector<std::string>& bands,
                const std::string& resampling, bool cloud_mask, double timeout) {
                 ExpressionLimits limits;
                 limits.max_outputs = 64;
                 std::string expr;
                 for (const auto& b : bands) expr += (expr.empty() ? "" : ";") + b;
                 Style s;
                 s.expression = Expression::parse(expr, limits);
                 auto req = make_request(crs, extent, width, height, s, resampling, cloud_mask, timeout);
                 std::vector<SourceSet> list;
                 for (const auto& src : sources) list.push_back(*src);
                 RasterBlock block;
                 {
                     py::gil_scoped_release nogil;
                     block = r.read(list, req);
                 }
                 py::dict out;
                 for (std::size_t i = 0; i < block.names.size(); ++i) {
                     py::array_t<float> a({block.height, block.width});
                     std::memcpy(a.mutable_data(), block.bands[i].data(), block.bands[i].size() * sizeof(float));
                     out[py::str(block.names[i])] = a;
                 }
                 py::array_t<std::uint8_t> mask({block.height, block.width});
                 std::memcpy(mask.mutable_data(), block.mask.data(), block.mask.size());
                 return py::make_tuple(out, mask);
             });

    m.def(
        "encode_image",
        [](const py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>& a, const std::string& format,
           int quality, int png_level) {
            Image img = from_array(a);
            EncodeOptions o;
            o.quality = quality;
            o.png_level = png_level;
            std::string bytes;
            {
                py::gil_scoped_release nogil;
                bytes = encode(img, parse_image_format(format), o);
            }
            return py::bytes(bytes);
        },
        py::arg("array"), py::arg("format") = "png", py::arg("quality") = 85, py::arg("png_level") = 1);

    py::class_<TileServer, std::shared_ptr<TileServer>>(m, "_TileServer")
        .def(py::init([](const std::string& catalogue, const std::string& host, int port, const std::string& eodata_root,
                         std::size_t tile_cache_mb, unsigned threads) {
                 ServerOptions o;
                 o.catalogue = catalogue;
                 o.host = host;
                 o.port = port;
                 if (!eodata_root.empty()) o.access.eodata_root = eodata_root;
                 o.tile_cache_mb = tile_cache_mb;
                 o.threads = threads;
                 py::gil_scoped_release nogil;
                 return std::make_shared<TileServer>(o);
             }),
             py::arg("catalogue"), py::arg("host"), py::arg("port"), py::arg("eodata_root"), py::arg("tile_cache_mb"),
             py::arg("threads"))
        .def("start", &TileServer::start, py::call_guard<py::gil_scoped_release>())
        .def("stop", &TileServer::stop, py::call_guard<py::gil_scoped_release>())
        .def_property_readonly("port", &TileServer::port)
        .def_property_readonly("url", &TileServer::url);
}

}  // namespace creodias::python
