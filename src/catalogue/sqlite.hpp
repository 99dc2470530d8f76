#pragma once
// Private: thin RAII over SQLite's C API. SQLite result codes become creodias exceptions
// here and nowhere else (check()).

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace creodias::detail {

/// Throws the matching creodias exception when rc is not SQLITE_OK/ROW/DONE:
/// busy/locked -> StorageError(busy), readonly -> AuthError(permission_denied),
/// corrupt/notadb -> StorageError(database), cantopen -> NotFoundError / StorageError(io).
void check_sqlite(int rc, sqlite3* db, std::string_view what);

class Statement;

/// One database connection. Not thread-safe (one thread at a time).
class Database {
public:
    Database(const std::filesystem::path& path, int flags);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    sqlite3* handle() const noexcept { return db_; }
    void exec(std::string_view sql);
    Statement prepare(std::string_view sql) const;
    std::int64_t last_insert_rowid() const;
    int changes() const;

private:
    sqlite3* db_ = nullptr;
};

/// A prepared statement; reset() to reuse. Column/parameter indexes: params 1-based,
/// columns 0-based (as in SQLite).
class Statement {
public:
    Statement() = default;
    Statement(sqlite3* db, sqlite3_stmt* s) : db_(db), stmt_(s) {}
    ~Statement();
    Statement(Statement&& o) noexcept;
    Statement& operator=(Statement&& o) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int i, std::int64_t v);
    Statement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
    Statement& bind(int i, double v);
    Statement& bind(int i, std::string_view v);
    Statement& bind_blob(int i, std::string_view v);
    /// Binds without copying: `v` must stay alive and unchanged until reset().
    Statement& bind_ref(int i, std::string_view v);
    Statement& bind_blob_ref(int i, std::string_view v);
    Statement& bind_null(int i);
    template <class T>
    Statement& bind(int i, const std::optional<T>& v) {
        if (v) return bind(i, *v);
        return bind_null(i);
    }

    /// Advances; true when a row is available.
    bool step();
    void reset();

    bool is_null(int col) const;
    std::int64_t i64(int col) const;
    double f64(int col) const;
    std::string text(int col) const;
    std::string_view blob(int col) const;
    std::optional<std::int64_t> opt_i64(int col) const;
    std::optional<double> opt_f64(int col) const;

    sqlite3_stmt* handle() const noexcept { return stmt_; }
    explicit operator bool() const noexcept { return stmt_ != nullptr; }

private:
    sqlite3* db_ = nullptr;
    sqlite3_stmt* stmt_ = nullptr;
};

/// BEGIN IMMEDIATE ... COMMIT, rolled back unless commit() is called.
class Transaction {
public:
    explicit Transaction(Database& db);
    ~Transaction();
    void commit();

private:
    Database& db_;
    bool done_ = false;
};

}  // namespace creodias::detail
