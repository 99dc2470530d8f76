#pragma once
/// @file catalogue.hpp
/// The embedded catalogue: index products from disk or catalogue documents, then search.

#include <creodias/catalogue_store.hpp>
#include <creodias/export.hpp>
#include <creodias/product.hpp>
#include <creodias/query.hpp>
#include <creodias/readers.hpp>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace creodias {

/// Progress of a long operation, reported from the calling thread.
struct IndexProgress {
    std::uint64_t found = 0;      ///< products discovered so far
    std::uint64_t done = 0;       ///< products read (indexed, skipped or failed)
    std::uint64_t failed = 0;
    bool walking = true;          ///< still discovering products
};

struct IndexOptions {
    /// Parser threads; 0 = one per hardware thread.  DEFAULT: 0
    unsigned threads = 0;
    /// Skip sources whose modification time and size are unchanged since the last run.
    /// DEFAULT: true
    bool skip_unchanged = true;
    /// Products written per transaction.  DEFAULT: 500
    std::size_t batch_size = 500;
    ReadOptions read;
    /// Called about every 100 ms and at the end. DEFAULT: none
    std::function<void(const IndexProgress&)> progress;
    /// Set to true from another thread to stop early (already written batches stay).
    const std::atomic<bool>* cancel = nullptr;
};

/// One product that could not be indexed.
struct IndexFailure {
    std::string path;
    std::string message;
};

struct IndexReport {
    std::uint64_t indexed = 0;    ///< products inserted or updated
    std::uint64_t inserted = 0;
    std::uint64_t updated = 0;
    std::uint64_t unchanged = 0;  ///< skipped because their source did not change
    std::vector<IndexFailure> failures;
    double seconds = 0;
};

struct CatalogueOptions {
    SqliteStoreOptions store;
};

/// The embedded catalogue (SQLite).
///
/// Typical usage:
/// @code
///   creodias::Catalogue cat("/data/catalogue.db");
///   cat.index({"/eodata/Sentinel-2/MSI/L2A/2024/06"});
///   creodias::Query q;
///   q.collections = {"SENTINEL-2"};
///   q.cloud_max = 10;
///   for (const auto& p : cat.search(q).products) std::cout << p.name << '\n';
/// @endcode
/// Thread safety: methods may be called from several threads; calls are serialised
/// internally. Several processes may use the same database (SQLite WAL): one writer at a
/// time, readers never blocked.
class CREODIAS_EXPORT Catalogue {
public:
    /// The default database: $CREODIAS_DB if set, else $XDG_DATA_HOME/creodias/catalogue.db
    /// (~/.local/share/creodias/catalogue.db).
    static std::filesystem::path default_path();

    /// Opens or creates the catalogue at `path` (default_path() when empty).
    explicit Catalogue(const std::filesystem::path& path = {}, const CatalogueOptions& options = {});
    ~Catalogue();
    Catalogue(const Catalogue&) = delete;
    Catalogue& operator=(const Catalogue&) = delete;
    Catalogue(Catalogue&&) noexcept;
    Catalogue& operator=(Catalogue&&) noexcept;

    const std::filesystem::path& path() const noexcept;

    /// Walks files and directories (recursively, zips included), reads every product found
    /// in parallel and upserts them in batches. A product that cannot be read is reported in
    /// IndexReport::failures and skipped; the rest is indexed. Safe to interrupt at any
    /// point (kill -9 included): a re-run completes the work without duplicates. JSON files
    /// holding a STAC ItemCollection or a resto/OData response are imported as well.
    IndexReport index(const std::vector<std::filesystem::path>& paths, const IndexOptions& options = {});

    /// Imports a catalogue document (STAC ItemCollection/Item, resto FeatureCollection,
    /// OData response) from JSON text. All or nothing.
    UpsertResult import_json(std::string_view json);
    /// Inserts or replaces products (see CatalogueStore::upsert).
    UpsertResult upsert(const std::vector<Product>& products);

    Page search(const Query& query) const;
    Count count(const Query& query) const;
    /// By id, name or name key. Absent is not an error.
    std::optional<Product> get(std::string_view id_or_name) const;
    std::size_t erase(const std::vector<std::string>& ids_or_names);
    StoreStats stats() const;

    /// The underlying store (for advanced use and tests).
    CatalogueStore& store();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace creodias
