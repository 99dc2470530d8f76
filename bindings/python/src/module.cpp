// creodias._creodias: the compiled half of the Python package. Bindings are registered in
// dependency order: errors first (every other binding raises them), then value types,
// then the catalogue. Pythonic sugar lives in the pure-Python package (creodias/*.py).

#include <pybind11/pybind11.h>

#include <creodias/version.hpp>

namespace py = pybind11;

namespace creodias::python {
void bind_errors(py::module_& m);
void bind_core(py::module_& m);
void bind_catalogue(py::module_& m);
void bind_access(py::module_& m);
void bind_tiles(py::module_& m);
}  // namespace creodias::python

PYBIND11_MODULE(_creodias, m) {
    m.doc() = "libcreodias native module (use the `creodias` package instead)";
    m.attr("__version__") = creodias::version();
    creodias::python::bind_errors(m);
    creodias::python::bind_core(m);
    creodias::python::bind_catalogue(m);
    creodias::python::bind_access(m);
    creodias::python::bind_tiles(m);
}
