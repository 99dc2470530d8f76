// One place maps creodias::Error codes to Python exception classes. The classes inherit
// both creodias.Error and the natural built-in (InvalidArgument is a ValueError,
// NotFoundError a LookupError...), so `except ValueError` works as users expect.

#include <pybind11/pybind11.h>

#include <creodias/error.hpp>

namespace py = pybind11;

namespace creodias::python {

namespace {
struct Classes {
    PyObject* base = nullptr;
    PyObject* invalid = nullptr;
    PyObject* not_found = nullptr;
    PyObject* auth = nullptr;
    PyObject* network = nullptr;
    PyObject* timeout = nullptr;
    PyObject* unsupported = nullptr;
    PyObject* storage = nullptr;
    PyObject* cancelled = nullptr;
};
Classes g_classes;

PyObject* make_class(py::module_& m, const char* name, PyObject* base, PyObject* builtin, const char* doc) {
    std::string qual = std::string("creodias.") + name;
    PyObject* bases = builtin ? PyTuple_Pack(2, base, builtin) : PyTuple_Pack(1, base);
    PyObject* cls = PyErr_NewExceptionWithDoc(qual.c_str(), doc, bases, nullptr);
    Py_DECREF(bases);
    if (!cls) throw py::error_already_set();
    m.add_object(name, py::handle(cls));
    return cls;
}

PyObject* class_for(Errc code) {
    switch (code) {
        case Errc::invalid_argument: return g_classes.invalid;
        case Errc::not_found: return g_classes.not_found;
        case Errc::unauthenticated:
        case Errc::permission_denied: return g_classes.auth;
        case Errc::network:
        case Errc::remote: return g_classes.network;
        case Errc::timeout: return g_classes.timeout;
        case Errc::unsupported: return g_classes.unsupported;
        case Errc::database:
        case Errc::io:
        case Errc::busy: return g_classes.storage;
        case Errc::cancelled: return g_classes.cancelled;
        default: return g_classes.base;
    }
}
}  // namespace

void bind_errors(py::module_& m) {
    g_classes.base = PyErr_NewExceptionWithDoc("creodias.Error",
                                               "Base class of every libcreodias error; has .code and .origin.",
                                               PyExc_Exception, nullptr);
    m.add_object("Error", py::handle(g_classes.base));
    g_classes.invalid = make_class(m, "InvalidArgument", g_classes.base, PyExc_ValueError, "Bad input.");
    g_classes.not_found = make_class(m, "NotFoundError", g_classes.base, PyExc_LookupError, "Something named does not exist.");
    g_classes.auth = make_class(m, "AuthError", g_classes.base, PyExc_PermissionError, "Missing, rejected or insufficient credentials.");
    g_classes.network = make_class(m, "NetworkError", g_classes.base, PyExc_ConnectionError, "Transport or remote-service failure.");
    g_classes.timeout = make_class(m, "Timeout", g_classes.base, PyExc_TimeoutError, "An operation timed out.");
    g_classes.unsupported = make_class(m, "Unsupported", g_classes.base, PyExc_NotImplementedError, "Not supported by this build or backend.");
    g_classes.storage = make_class(m, "StorageError", g_classes.base, PyExc_OSError, "Database or file-system failure.");
    g_classes.cancelled = make_class(m, "Cancelled", g_classes.base, nullptr, "The operation was cancelled.");

    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const Error& e) {
            PyObject* cls = class_for(e.code());
            PyObject* inst = PyObject_CallFunction(cls, "s", e.what());
            if (!inst) return;  // an error is already set
            PyObject* code = PyUnicode_FromStringAndSize(to_string(e.code()).data(),
                                                         static_cast<Py_ssize_t>(to_string(e.code()).size()));
            PyObject* origin = PyUnicode_FromStringAndSize(e.origin().data(), static_cast<Py_ssize_t>(e.origin().size()));
            PyObject_SetAttrString(inst, "code", code);
            PyObject_SetAttrString(inst, "origin", origin);
            Py_XDECREF(code);
            Py_XDECREF(origin);
            PyErr_SetObject(cls, inst);
            Py_DECREF(inst);
        }
    });
}

}  // namespace creodias::python
