#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <creodias/catalogue.hpp>
#include <creodias/formats.hpp>

#include <atomic>

namespace py = pybind11;

namespace creodias::python {

void bind_catalogue(py::module_& m) {
    py::class_<Count>(m, "Count")
        .def_readonly("value", &Count::value)
        .def_readonly("exact", &Count::exact)
        .def("__int__", [](const Count& c) { return c.value; })
        .def("__repr__", [](const Count& c) {
            return std::string("Count(") + std::to_string(c.value) + (c.exact ? ", exact)" : ", estimate)");
        });

    py::class_<Page>(m, "_Page")
        .def_readonly("products", &Page::products)
        .def_readonly("next_cursor", &Page::next_cursor)
        .def_readonly("count", &Page::count)
        .def("to_geojson", [](const Page& p) { return to_resto_feature_collection(p); })
        .def("to_stac", [](const Page& p) { return to_stac_item_collection(p); });

    py::class_<IndexFailure>(m, "IndexFailure")
        .def_readonly("path", &IndexFailure::path)
        .def_readonly("message", &IndexFailure::message)
        .def("__repr__", [](const IndexFailure& f) { return "IndexFailure(" + f.path + ": " + f.message + ")"; });

    py::class_<IndexReport>(m, "IndexReport")
        .def_readonly("indexed", &IndexReport::indexed)
        .def_readonly("inserted", &IndexReport::inserted)
        .def_readonly("updated", &IndexReport::updated)
        .def_readonly("unchanged", &IndexReport::unchanged)
        .def_readonly("failures", &IndexReport::failures)
        .def_readonly("seconds", &IndexReport::seconds)
        .def("__repr__", [](const IndexReport& r) {
            return "IndexReport(indexed=" + std::to_string(r.indexed) + ", unchanged=" + std::to_string(r.unchanged) +
                   ", failures=" + std::to_string(r.failures.size()) + ")";
        });

    py::class_<UpsertResult>(m, "UpsertResult")
        .def_readonly("inserted", &UpsertResult::inserted)
        .def_readonly("updated", &UpsertResult::updated);

    py::class_<StoreStats>(m, "StoreStats")
        .def_readonly("products", &StoreStats::products)
        .def_readonly("per_collection", &StoreStats::per_collection)
        .def_readonly("bytes_on_disk", &StoreStats::bytes_on_disk);

    py::class_<Catalogue>(m, "_Catalogue")
        .def(py::init([](const std::optional<std::string>& path, bool read_only, bool create) {
                 CatalogueOptions o;
                 o.store.read_only = read_only;
                 o.store.create = create;
                 return std::make_unique<Catalogue>(path ? std::filesystem::path(*path) : std::filesystem::path(), o);
             }),
             py::arg("path") = py::none(), py::arg("read_only") = false, py::arg("create") = true,
             py::call_guard<py::gil_scoped_release>())
        .def_property_readonly("path", [](const Catalogue& c) { return c.path().string(); })
        .def(
            "index",
            [](Catalogue& c, const std::vector<std::string>& paths, unsigned threads, bool force,
               std::optional<std::function<void(std::uint64_t, std::uint64_t, bool)>> progress) {
                IndexOptions o;
                o.threads = threads;
                o.skip_unchanged = !force;
                std::atomic<bool> cancel{false};
                o.cancel = &cancel;
                if (progress) {
                    auto cb = *progress;
                    o.progress = [cb, &cancel](const IndexProgress& p) {
                        py::gil_scoped_acquire gil;
                        if (PyErr_CheckSignals() != 0) {  // Ctrl-C: stop cleanly
                            cancel = true;
                            PyErr_Clear();
                            return;
                        }
                        cb(p.done, p.found, p.walking);
                    };
                } else {
                    o.progress = [&cancel](const IndexProgress&) {
                        py::gil_scoped_acquire gil;
                        if (PyErr_CheckSignals() != 0) {
                            cancel = true;
                            PyErr_Clear();
                        }
                    };
                }
                std::vector<std::filesystem::path> ps(paths.begin(), paths.end());
                IndexReport r;
                {
                    py::gil_scoped_release release;
                    r = c.index(ps, o);
                }
                if (cancel) {
                    PyErr_SetNone(PyExc_KeyboardInterrupt);
                    throw py::error_already_set();
                }
                return r;
            },
            py::arg("paths"), py::arg("threads") = 0, py::arg("force") = false, py::arg("progress") = py::none())
        .def("search", &Catalogue::search, py::call_guard<py::gil_scoped_release>())
        .def("count", &Catalogue::count, py::call_guard<py::gil_scoped_release>())
        .def("get", &Catalogue::get, py::call_guard<py::gil_scoped_release>())
        .def("import_json", &Catalogue::import_json, py::call_guard<py::gil_scoped_release>())
        .def("upsert", &Catalogue::upsert, py::call_guard<py::gil_scoped_release>())
        .def("erase", &Catalogue::erase, py::call_guard<py::gil_scoped_release>())
        .def("stats", &Catalogue::stats, py::call_guard<py::gil_scoped_release>());
    m.def("default_catalogue_path", [] { return Catalogue::default_path().string(); });
}

}  // namespace creodias::python
