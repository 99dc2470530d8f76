#pragma once
/// @file error.hpp
/// The error model of libcreodias: every failure is a `creodias::Error` (or a subclass
/// where callers are expected to branch), carrying a stable numeric code and the name of
/// the component that raised it. See docs/error-model.md.

#include <creodias/export.hpp>

#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace creodias {

/// Stable error codes. The numbers never change once released; new codes are appended.
enum class Errc : int {
    invalid_argument = 1,   ///< bad input from the caller: a value, a query, a file's content
    not_found = 2,          ///< a named thing (product, file, collection) does not exist
    already_exists = 3,     ///< a create operation would overwrite something
    unauthenticated = 4,    ///< missing or rejected credentials
    permission_denied = 5,  ///< credentials valid, access refused (or a read-only file)
    network = 6,            ///< transport failure or an unexpected HTTP status
    timeout = 7,            ///< an operation exceeded its deadline
    remote = 8,             ///< a remote service answered with an error document
    database = 9,           ///< the catalogue database failed (corrupt, locked, full)
    io = 10,                ///< local file system failure
    unsupported = 11,       ///< a valid request this build or backend cannot serve
    cancelled = 12,         ///< the caller cancelled the operation
    internal = 13,          ///< a bug in libcreodias
    busy = 14,              ///< a resource is locked by another writer; retrying may succeed
};

/// Short lower-case name of a code, e.g. "invalid_argument".
CREODIAS_EXPORT std::string_view to_string(Errc code) noexcept;

/// The std::error_category for Errc, so codes can travel as std::error_code.
CREODIAS_EXPORT const std::error_category& error_category() noexcept;
inline std::error_code make_error_code(Errc e) noexcept {
    return {static_cast<int>(e), error_category()};
}

/// Root of all libcreodias exceptions.
///
/// `what()` is a one-line, human-readable message that names the offending value and, for
/// files, the path. It never contains credentials.
class CREODIAS_EXPORT Error : public std::runtime_error {
public:
    /// @param code   stable error code
    /// @param origin component that raised the error: "sqlite", "gdal", "curl", "query",
    ///               "sentinel2", "cli", ... (a short identifier, not a sentence)
    /// @param message one-line description
    Error(Errc code, std::string origin, const std::string& message);
    ~Error() override;

    Errc code() const noexcept { return code_; }
    std::string_view origin() const noexcept { return origin_; }

private:
    Errc code_;
    std::string origin_;
};

/// Bad input: a malformed query, an unparseable date, an invalid geometry, a corrupt file.
class CREODIAS_EXPORT InvalidArgument : public Error {
public:
    InvalidArgument(std::string origin, const std::string& message)
        : Error(Errc::invalid_argument, std::move(origin), message) {}
};

/// A product, file or database that does not exist.
class CREODIAS_EXPORT NotFoundError : public Error {
public:
    NotFoundError(std::string origin, const std::string& message)
        : Error(Errc::not_found, std::move(origin), message) {}
};

/// Missing or rejected credentials (Errc::unauthenticated) or refused access
/// (Errc::permission_denied, e.g. a read-only database opened for writing).
class CREODIAS_EXPORT AuthError : public Error {
public:
    AuthError(Errc code, std::string origin, const std::string& message)
        : Error(code, std::move(origin), message) {}
};

/// Transport failures and unexpected HTTP statuses. `http_status()` is 0 when no response
/// was received.
class CREODIAS_EXPORT NetworkError : public Error {
public:
    NetworkError(std::string origin, const std::string& message, int http_status = 0,
                 bool retryable = false)
        : Error(Errc::network, std::move(origin), message),
          http_status_(http_status),
          retryable_(retryable) {}
    int http_status() const noexcept { return http_status_; }
    bool retryable() const noexcept { return retryable_; }

private:
    int http_status_;
    bool retryable_;
};

/// A request that is valid but not supported by this build, backend or format.
class CREODIAS_EXPORT Unsupported : public Error {
public:
    Unsupported(std::string origin, const std::string& message)
        : Error(Errc::unsupported, std::move(origin), message) {}
};

/// Database and file-system failures (codes database, io, busy).
class CREODIAS_EXPORT StorageError : public Error {
public:
    StorageError(Errc code, std::string origin, const std::string& message)
        : Error(code, std::move(origin), message) {}
};

}  // namespace creodias

namespace std {
template <>
struct is_error_code_enum<creodias::Errc> : true_type {};
}  // namespace std
