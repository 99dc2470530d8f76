#include "catalogue/sqlite.hpp"

#include <creodias/error.hpp>

#include <fmt/format.h>

namespace creodias::detail {

void check_sqlite(int rc, sqlite3* db, std::string_view what) {
    if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return;
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    std::string text = fmt::format("{}: {}", what, msg);
    switch (rc & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            throw StorageError(Errc::busy, "sqlite",
                               text + " (another process is writing to this catalogue; retry later)");
        case SQLITE_READONLY:
            throw AuthError(Errc::permission_denied, "sqlite", text + " (the catalogue is read-only)");
        case SQLITE_PERM:
        case SQLITE_AUTH: throw AuthError(Errc::permission_denied, "sqlite", text);
        case SQLITE_CANTOPEN: throw StorageError(Errc::io, "sqlite", text);
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
            throw StorageError(Errc::database, "sqlite", text + " (not a valid catalogue database)");
        case SQLITE_FULL:
        case SQLITE_IOERR: throw StorageError(Errc::io, "sqlite", text);
        case SQLITE_CONSTRAINT:
        case SQLITE_MISMATCH:
        case SQLITE_TOOBIG:
        case SQLITE_RANGE: throw InvalidArgument("sqlite", text);
        case SQLITE_INTERRUPT: throw Error(Errc::cancelled, "sqlite", text);
        default: throw StorageError(Errc::database, "sqlite", text);
    }
}

Database::Database(const std::filesystem::path& path, int flags) {
    int rc = sqlite3_open_v2(path.string().c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close_v2(db_);
        db_ = nullptr;
        check_sqlite(rc, nullptr, fmt::format("opening {} ({})", path.string(), msg));
    }
    sqlite3_extended_result_codes(db_, 1);
}

Database::~Database() {
    if (db_) sqlite3_close_v2(db_);
}

void Database::exec(std::string_view sql) {
    std::string s(sql);
    char* err = nullptr;
    int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
    if (err) sqlite3_free(err);
    check_sqlite(rc, db_, "executing SQL");
}

Statement Database::prepare(std::string_view sql) const {
    sqlite3_stmt* s = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &s,
                                nullptr);
    check_sqlite(rc, db_, "preparing a statement");
    return Statement(db_, s);
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int Database::changes() const { return sqlite3_changes(db_); }

Statement::~Statement() {
    if (stmt_) sqlite3_finalize(stmt_);
}
Statement::Statement(Statement&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
Statement& Statement::operator=(Statement&& o) noexcept {
    if (this != &o) {
        if (stmt_) sqlite3_finalize(stmt_);
        db_ = o.db_;
        stmt_ = o.stmt_;
        o.stmt_ = nullptr;
    }
    return *this;
}

Statement& Statement::bind(int i, std::int64_t v) {
    check_sqlite(sqlite3_bind_int64(stmt_, i, v), db_, "binding");
    return *this;
}
Statement& Statement::bind(int i, double v) {
    check_sqlite(sqlite3_bind_double(stmt_, i, v), db_, "binding");
    return *this;
}
Statement& Statement::bind(int i, std::string_view v) {
    check_sqlite(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT), db_,
                 "binding");
    return *this;
}
Statement& Statement::bind_blob(int i, std::string_view v) {
    check_sqlite(sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT), db_,
                 "binding");
    return *this;
}
Statement& Statement::bind_ref(int i, std::string_view v) {
    check_sqlite(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC), db_, "binding");
    return *this;
}
Statement& Statement::bind_blob_ref(int i, std::string_view v) {
    check_sqlite(sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC), db_, "binding");
    return *this;
}
Statement& Statement::bind_null(int i) {
    check_sqlite(sqlite3_bind_null(stmt_, i), db_, "binding");
    return *this;
}

bool Statement::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    int ext = sqlite3_extended_errcode(db_);
    sqlite3_reset(stmt_);
    check_sqlite(ext ? ext : rc, db_, "executing a statement");
    return false;
}

void Statement::reset() {
    if (!stmt_) return;
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

bool Statement::is_null(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
std::int64_t Statement::i64(int c) const { return sqlite3_column_int64(stmt_, c); }
double Statement::f64(int c) const { return sqlite3_column_double(stmt_, c); }
std::string Statement::text(int c) const {
    auto* p = sqlite3_column_text(stmt_, c);
    int n = sqlite3_column_bytes(stmt_, c);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}
std::string_view Statement::blob(int c) const {
    auto* p = sqlite3_column_blob(stmt_, c);
    int n = sqlite3_column_bytes(stmt_, c);
    return p ? std::string_view(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string_view();
}
std::optional<std::int64_t> Statement::opt_i64(int c) const {
    if (is_null(c)) return std::nullopt;
    return i64(c);
}
std::optional<double> Statement::opt_f64(int c) const {
    if (is_null(c)) return std::nullopt;
    return f64(c);
}

Transaction::Transaction(Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }
Transaction::~Transaction() {
    if (!done_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}
void Transaction::commit() {
    db_.exec("COMMIT");
    done_ = true;
}

}  // namespace creodias::detail
