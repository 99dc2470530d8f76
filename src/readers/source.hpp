#pragma once
// Private: uniform read access to a product's files whether the product is a directory or a
// zip archive. Readers only see relative paths ('/'-separated, without the container name).

#include <creodias/readers.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace creodias::detail {

struct SourceEntry {
    std::string path;          // relative to the product root, '/'-separated
    std::uint64_t size = 0;    // uncompressed size
};

/// A product's file tree. Implementations: a directory, or a zip (whose single top-level
/// folder, e.g. "X.SAFE/", is stripped so paths look the same as in the directory case).
/// Thread safety: one thread at a time.
class ProductSource {
public:
    virtual ~ProductSource() = default;
    /// Name of the product root: the directory name, or the zip's top folder name
    /// (the zip file name without ".zip" when the archive has no single top folder).
    virtual const std::string& root_name() const = 0;
    /// Every regular file, sorted by path.
    virtual const std::vector<SourceEntry>& entries() const = 0;
    /// Whole content of one file. Throws NotFoundError if absent, InvalidArgument if larger
    /// than the options allow (or a suspicious compression ratio in a zip).
    virtual std::string read(const std::string& path) = 0;
    /// Where the product lives (directory or zip path), for messages and Product::path.
    virtual const std::filesystem::path& location() const = 0;

    bool exists(const std::string& path) const;
    /// First entry whose path matches `pred`, e.g. ends with "MTD_TL.xml".
    std::optional<std::string> find_suffix(const std::string& suffix) const;
    /// Every entry path with the given prefix and suffix.
    std::vector<std::string> find_all(const std::string& prefix, const std::string& suffix) const;
};

/// Opens a directory or a .zip as a ProductSource. Throws NotFoundError / InvalidArgument.
std::unique_ptr<ProductSource> open_product_source(const std::filesystem::path& path,
                                                   const ReadOptions& options);

/// Reads a whole regular file with a size cap. Throws NotFoundError / InvalidArgument /
/// StorageError(io).
std::string read_file_capped(const std::filesystem::path& path, std::uint64_t max_bytes);

}  // namespace creodias::detail
