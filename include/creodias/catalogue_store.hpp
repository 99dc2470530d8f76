#pragma once
/// @file catalogue_store.hpp
/// The storage interface behind Catalogue. The embedded SQLite backend implements it; a
/// PostgreSQL/PostGIS backend can implement the same interface and pass the same
/// conformance tests (tests/unit/catalogue/).

#include <creodias/export.hpp>
#include <creodias/product.hpp>
#include <creodias/query.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace creodias {

/// Outcome of an upsert batch.
struct UpsertResult {
    std::size_t inserted = 0;
    std::size_t updated = 0;
};

/// What was indexed from which file or directory (for skip-unchanged re-runs).
struct SourceRecord {
    std::string path;        ///< absolute path of the indexed file or directory
    std::int64_t mtime_ns = 0;
    std::uint64_t size = 0;
    std::string name_key;    ///< the product it produced (empty for failures)
};

/// Summary of a store's content.
struct StoreStats {
    std::uint64_t products = 0;
    std::vector<std::pair<std::string, std::uint64_t>> per_collection;
    std::optional<Timestamp> first_sensing;
    std::optional<Timestamp> last_sensing;
    std::uint64_t bytes_on_disk = 0;
};

/// Persistent product catalogue.
///
/// Products are keyed by Product::name_key(): upserting a product with a known name key
/// replaces the stored record in place (idempotent re-indexing).
/// Thread safety: an instance is used by one thread at a time; open one per thread.
class CREODIAS_EXPORT CatalogueStore {
public:
    virtual ~CatalogueStore();

    /// Inserts or replaces products in one transaction (all or nothing).
    /// @throws InvalidArgument for an invalid product (the batch is rolled back),
    ///         StorageError(busy) when another writer holds the lock past the timeout.
    UpsertResult upsert(const std::vector<Product>& products) { return upsert(products, {}); }
    /// Same, also recording the sources the products came from, in the same transaction.
    virtual UpsertResult upsert(const std::vector<Product>& products,
                                const std::vector<SourceRecord>& sources) = 0;
    /// One product by id or name (or name key). Absent is not an error.
    virtual std::optional<Product> get(std::string_view id_or_name) const = 0;
    /// One page of results; see Query.
    virtual Page search(const Query& query) const = 0;
    /// Number of matching products (exact, or an estimate flagged as such).
    virtual Count count(const Query& query) const = 0;
    /// Removes products by id or name; returns how many were removed.
    virtual std::size_t erase(const std::vector<std::string>& ids_or_names) = 0;
    virtual StoreStats stats() const = 0;

    /// Bulk mode, for loading many products at once: until end_bulk(), upserts skip the
    /// spatial index and the secondary indexes, which end_bulk() then rebuilds in one
    /// sorted pass each. Searches raise StorageError(busy) while a bulk load is in progress.
    /// If the process dies in bulk mode, the next writable open completes end_bulk() before
    /// anything else, so nothing is lost.
    virtual void begin_bulk() = 0;
    virtual void end_bulk() = 0;

    /// The recorded (mtime, size) of a source, if it was indexed before.
    virtual std::optional<std::pair<std::int64_t, std::uint64_t>> source_state(
        const std::string& source) const = 0;
};

/// Options of the embedded SQLite store.
struct SqliteStoreOptions {
    /// Open without write access (searches only).  DEFAULT: false
    bool read_only = false;
    /// Create the database when it does not exist (ignored when read_only).  DEFAULT: true
    bool create = true;
    /// How long a writer waits for another writer's lock, in milliseconds.  DEFAULT: 10000
    int busy_timeout_ms = 10000;
    /// SQLite page cache per connection, in MiB.  DEFAULT: 256
    int cache_mib = 256;
};

/// Opens (or creates) the embedded SQLite catalogue at `path`.
/// @throws NotFoundError when it does not exist and may not be created; StorageError when
///         it is not a libcreodias catalogue, is corrupt or is of a newer schema version.
CREODIAS_EXPORT std::unique_ptr<CatalogueStore> open_sqlite_store(
    const std::filesystem::path& path, const SqliteStoreOptions& options = {});

}  // namespace creodias
