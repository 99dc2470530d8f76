// Product access for Python: locations, file listings, GDAL paths, window reads into numpy
// arrays, downloads and uploads. Transfers run with the GIL released; the progress callback
// re-acquires it, forwards progress to Python and turns a pending Ctrl-C into a cancellation
// (the download stops, partial data stays for resuming, KeyboardInterrupt is raised).

#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <creodias/access.hpp>
#include <creodias/error.hpp>
#include <creodias/s3.hpp>
#include <creodias/transfer.hpp>

namespace py = pybind11;

namespace creodias::python {

namespace {

py::dtype dtype_of(SampleType t) {
    switch (t) {
        case SampleType::uint8: return py::dtype::of<std::uint8_t>();
        case SampleType::int8: return py::dtype::of<std::int8_t>();
        case SampleType::uint16: return py::dtype::of<std::uint16_t>();
        case SampleType::int16: return py::dtype::of<std::int16_t>();
        case SampleType::uint32: return py::dtype::of<std::uint32_t>();
        case SampleType::int32: return py::dtype::of<std::int32_t>();
        case SampleType::float32: return py::dtype::of<float>();
        case SampleType::float64: return py::dtype::of<double>();
    }
    return py::dtype::of<std::uint8_t>();
}

py::array to_numpy(WindowData&& w) {
    auto holder = new WindowData(std::move(w));
    py::capsule owner(holder, [](void* p) { delete static_cast<WindowData*>(p); });
    const auto item = static_cast<py::ssize_t>(sample_size(holder->type));
    return py::array(dtype_of(holder->type), {static_cast<py::ssize_t>(holder->height), static_cast<py::ssize_t>(holder->width)},
                     {static_cast<py::ssize_t>(holder->width) * item, item}, holder->data.data(), owner);
}

// Progress forwarding + Ctrl-C, called on the thread that released the GIL.
ProgressCallback python_progress(py::object callback, CancelToken cancel) {
    return [callback, cancel](const TransferProgress& p) {
        py::gil_scoped_acquire gil;
        if (PyErr_CheckSignals() != 0) {
            cancel.cancel();
            throw py::error_already_set();
        }
        if (!callback.is_none()) callback(p);
    };
}

}  // namespace

void bind_access(py::module_& m) {
    py::class_<TransferProgress>(m, "TransferProgress")
        .def_readonly("bytes_done", &TransferProgress::bytes_done)
        .def_readonly("bytes_total", &TransferProgress::bytes_total)
        .def_readonly("bytes_transferred", &TransferProgress::bytes_transferred)
        .def_readonly("files_done", &TransferProgress::files_done)
        .def_readonly("files_total", &TransferProgress::files_total)
        .def_readonly("rate", &TransferProgress::rate)
        .def_readonly("eta_seconds", &TransferProgress::eta_seconds)
        .def_readonly("elapsed_seconds", &TransferProgress::elapsed_seconds)
        .def("__repr__", [](const TransferProgress& p) {
            return "TransferProgress(" + std::to_string(p.bytes_done) + "/" + std::to_string(p.bytes_total) +
                   " bytes, " + std::to_string(p.files_done) + "/" + std::to_string(p.files_total) + " files)";
        });

    py::class_<FileOutcome>(m, "FileOutcome")
        .def_readonly("path", &FileOutcome::dest)
        .def_readonly("size", &FileOutcome::size)
        .def_property_readonly("status",
                               [](const FileOutcome& f) {
                                   static const char* names[] = {"downloaded", "resumed", "skipped", "failed"};
                                   return std::string(names[static_cast<int>(f.status)]);
                               })
        .def_readonly("verified_by", &FileOutcome::verified_by)
        .def_readonly("quarantined", &FileOutcome::quarantined)
        .def_readonly("error", &FileOutcome::error)
        .def("__repr__", [](const FileOutcome& f) { return "FileOutcome(" + f.dest + ")"; });

    py::class_<DownloadReport>(m, "DownloadReport")
        .def_readonly("files", &DownloadReport::files)
        .def_readonly("bytes_total", &DownloadReport::bytes_total)
        .def_readonly("bytes_transferred", &DownloadReport::bytes_transferred)
        .def_readonly("seconds", &DownloadReport::seconds)
        .def_readonly("downloaded", &DownloadReport::downloaded)
        .def_readonly("resumed", &DownloadReport::resumed)
        .def_readonly("skipped", &DownloadReport::skipped)
        .def_readonly("verified", &DownloadReport::verified)
        .def("__repr__", [](const DownloadReport& r) {
            return "DownloadReport(" + std::to_string(r.files.size()) + " files: " + std::to_string(r.downloaded) +
                   " downloaded, " + std::to_string(r.resumed) + " resumed, " + std::to_string(r.skipped) +
                   " skipped)";
        });

    py::class_<ProductFileEntry>(m, "FileEntry")
        .def_readonly("path", &ProductFileEntry::path)
        .def_readonly("source", &ProductFileEntry::source)
        .def_readonly("size", &ProductFileEntry::size)
        .def_readonly("etag", &ProductFileEntry::etag)
        .def_readonly("band", &ProductFileEntry::band)
        .def_readonly("checksums", &ProductFileEntry::checksums)
        .def("__repr__", [](const ProductFileEntry& f) { return "FileEntry(" + f.path + ")"; });

    py::class_<ProductAccess>(m, "_Access")
        .def(py::init([](const std::string& eodata_root, const std::string& bucket, std::optional<std::string> endpoint,
                         std::optional<std::string> region, std::optional<std::string> profile,
                         std::optional<std::string> access_key, std::optional<std::string> secret_key,
                         std::optional<std::string> session_token, bool anonymous, int max_connections,
                         const std::string& bearer_token) {
                 AccessOptions o;
                 o.eodata_root = eodata_root;
                 o.bucket = bucket;
                 o.s3.endpoint = endpoint;
                 o.s3.region = region;
                 o.s3.profile = profile;
                 if (anonymous) {
                     o.s3.credentials = S3Credentials{};
                 } else if (access_key || secret_key) {
                     if (!access_key || !secret_key)
                         throw InvalidArgument("access", "give both access_key and secret_key");
                     o.s3.credentials = S3Credentials{*access_key, *secret_key, session_token.value_or("")};
                 }
                 o.http.bearer_token = bearer_token;
                 o.http.max_connections = max_connections;
                 // Resolve now so that configuration errors surface at construction.
                 S3Options resolved = resolve_s3_options(o.s3);
                 o.s3.endpoint = resolved.endpoint;
                 o.s3.region = resolved.region;
                 o.s3.credentials = resolved.credentials;
                 o.s3.path_style = resolved.path_style;
                 return ProductAccess(o);
             }),
             py::arg("eodata_root"), py::arg("bucket"), py::arg("endpoint"), py::arg("region"), py::arg("profile"),
             py::arg("access_key"), py::arg("secret_key"), py::arg("session_token"), py::arg("anonymous"),
             py::arg("max_connections"), py::arg("bearer_token"))
        .def_property_readonly("endpoint", [](const ProductAccess& a) { return a.options().s3.endpoint.value_or(""); })
        .def_property_readonly("eodata_root", [](const ProductAccess& a) { return a.options().eodata_root; })
        .def("locate",
             [](const ProductAccess& a, const Product& p) {
                 py::gil_scoped_release nogil;
                 const auto loc = a.locate(p);
                 return std::make_pair(loc.uri(), loc.mounted);
             })
        .def("files",
             [](const ProductAccess& a, const Product& p) {
                 py::gil_scoped_release nogil;
                 return a.files(p);
             })
        .def_static("select", &ProductAccess::select)
        .def("gdal_path",
             [](const ProductAccess& a, const Product& p, const std::string& what) {
                 py::gil_scoped_release nogil;
                 return a.gdal_path(p, what);
             })
        .def("read_window",
             [](const ProductAccess& a, const Product& p, const std::string& what, int x, int y, int w, int h,
                int band) {
                 WindowData data;
                 {
                     py::gil_scoped_release nogil;
                     data = a.read_window(p, what, PixelWindow{x, y, w, h}, band);
                 }
                 return to_numpy(std::move(data));
             })
        .def("download",
             [](const ProductAccess& a, const Product& p, const std::string& dest, const std::vector<std::string>& files,
                const std::vector<std::string>& bands, int jobs, bool verify, py::object progress) {
                 DownloadOptions o;
                 o.jobs = jobs;
                 o.verify = verify;
                 o.progress = python_progress(std::move(progress), o.cancel);
                 o.progress_interval = std::chrono::milliseconds(100);
                 py::gil_scoped_release nogil;
                 return a.download(p, dest, files, bands, o);
             },
             py::arg("product"), py::arg("dest"), py::arg("files"), py::arg("bands"), py::arg("jobs"),
             py::arg("verify"), py::arg("progress"))
        .def("upload",
             [](const ProductAccess& a, const std::string& local, const std::string& bucket, const std::string& key,
                int jobs, py::object progress) {
                 UploadOptions o;
                 o.jobs = jobs;
                 o.progress = python_progress(std::move(progress), o.cancel);
                 o.progress_interval = std::chrono::milliseconds(100);
                 S3Client s3(resolve_s3_options(a.options().s3));
                 py::gil_scoped_release nogil;
                 return upload_file(s3, local, bucket, key, o);
             });

    m.def(
        "read_window",
        [](const std::string& path, int x, int y, int w, int h, int band) {
            WindowData data;
            {
                py::gil_scoped_release nogil;
                data = read_window(path, PixelWindow{x, y, w, h}, band);
            }
            return to_numpy(std::move(data));
        },
        py::arg("path"), py::arg("x"), py::arg("y"), py::arg("width"), py::arg("height"), py::arg("band") = 1);
    m.def("band_of_file", &band_of_file);
    m.def("_product_at", [](const std::string& path) {
        Product p;
        p.path = path;
        p.name = path;
        return p;
    });
}

}  // namespace creodias::python
