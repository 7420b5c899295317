#pragma once
// The real gateway for integration tests: in-process on an ephemeral loopback port, with the dev
// certificates, a real store (SQLite in a temp dir; PostgreSQL in the test cluster with
// DG_TEST_STORE=postgres) and a real TLS client; plus the helpers the suites share.
#include <boost/asio/connect.hpp>
#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "app/service.hpp"
#include "store_under_test.hpp"
#include "test_support.hpp"
#include "tls_client.hpp"

namespace dg::test {

namespace http = boost::beast::http;

struct Gateway {
    TempDir dir;
    TestStore store{store_kind_from_env()};
    std::unique_ptr<Service> service;
    unsigned short port = 0, admin_port = 0;
    Config config;

    explicit Gateway(std::function<void(Config&)> adjust = {}) {
        dev_certs_dir();
        config = load_config(source_dir() / "gateway/config/dev.json");
        config.listen = "127.0.0.1:0";
        config.admin_listen = "127.0.0.1:0";
        config.data_dir = dir.path / "data";
        config.store = store.url();
        config.threads = 2;
        if (adjust) adjust(config);
        service = std::make_unique<Service>(config);
        service->start();
        port = service->https_endpoint().port();
        admin_port = service->admin_endpoint().port();
    }

    HttpReply as(const std::string& party, http::verb m, const std::string& target, const std::string& body = {},
                 const std::string& ct = "application/json") const {
        return https_request(port, party, m, target, body, ct);
    }

    // The entries of the requests made, in order: the gateway's own start entry (index 0, tested
    // on its own) left out unless `with_start`.
    std::vector<std::string> audit_entries(bool with_start = false) const {
        std::vector<std::string> out;
        StoreOptions read_only;
        read_only.read_only = true;
        open_store(config.store, read_only)->audit().scan_entries([&](const AuditLog::StoredLeaf& l) {
            if (with_start || l.entry.rfind(R"({"action":"start",)", 0) != 0) out.emplace_back(l.entry);
            return true;
        });
        return out;
    }

    // A GET on the admin listener (plain HTTP, no certificate).
    http::response<http::string_body> admin_request(const std::string& target) const {
        namespace net = boost::asio;
        net::io_context ioc;
        boost::beast::tcp_stream s(ioc);
        s.connect({net::ip::make_address("127.0.0.1"), admin_port});
        http::request<http::empty_body> req{http::verb::get, target, 11};
        req.set(http::field::host, "localhost");
        http::write(s, req);
        boost::beast::flat_buffer buf;
        http::response<http::string_body> res;
        http::read(s, buf, res);
        return res;
    }

    std::string admin_get(const std::string& target) const {
        const auto res = admin_request(target);
        return std::to_string(res.result_int()) + " " + res.body();
    }
};

inline std::string example(const std::string& name) { return slurp(examples_dir() / name); }

// The verzuimmelding example (either format) as another message: its berichtId and its meldingIds
// made new with `tag` (a meldingId is unique per sender across all its messages).
inline std::string renumbered(std::string body, const std::string& tag) {
    for (std::size_t at; (at = body.find("12AB-20261123-0001")) != std::string::npos;) body.replace(at, 18, "12AB-" + tag);
    for (std::size_t at = 0; (at = body.find("VZ-2026-", at)) != std::string::npos; at += tag.size() + 9) body.insert(at, tag + "-");
    return body;
}

inline rapidjson::Document parse(const std::string& body) {
    rapidjson::Document d;
    d.Parse(body.c_str());
    return d;
}

inline std::string first_code(const HttpReply& r) {
    auto d = parse(r.body);
    if (!d.IsObject() || !d.HasMember("errors") || d["errors"].Empty()) return {};
    return d["errors"][0]["code"].GetString();
}

// A one-record verzuimmelding from school-12AB about a pupil in `gemeente`, with its own ids.
inline std::string verzuim(const std::string& bericht_id, const std::string& melding_id, const std::string& gemeente = "0363") {
    return R"({"berichtId":")" + bericht_id +
           R"(","berichttype":"verzuimmelding","verzondenOp":"2026-11-23T09:15:00+01:00",)"
           R"("meldingen":[{"meldingId":")" +
           melding_id +
           R"(","leerling":{"bsn":"291417772","geboortedatum":"2012-04-01",)"
           R"("woongemeente":")" +
           gemeente +
           R"("},"school":{"brin":"12AB","vestiging":"00"},)"
           R"("verzuim":{"soort":"luxe","van":"2026-10-19","tot":"2026-10-23"}}]})";
}

inline std::vector<std::string> caseload_meldingen(const Gateway& gw, const char* coordinator, const std::string& query = "") {
    HttpReply r = gw.as(coordinator, http::verb::get, "/v1/caseload" + query);
    std::vector<std::string> out;
    auto d = parse(r.body);
    for (const auto& item : d["items"].GetArray()) out.push_back(std::string(item["meldingId"].GetString()) + "/" + item["status"].GetString());
    return out;
}

// A copy of the dev CA's database in `dir`, to revoke certificates and publish CRLs of its own
// without touching certs/dev; returns the path of its openssl ca config.
inline std::filesystem::path copy_dev_ca(const TempDir& dir) {
    const auto certs = dev_certs_dir();
    std::filesystem::copy(certs / "ca-db", dir.path / "ca-db", std::filesystem::copy_options::recursive);
    const auto cnf = dir.path / "ca-db/ca.cnf";
    std::string text = slurp(cnf);
    for (auto pos = text.find((certs / "ca-db").string()); pos != std::string::npos; pos = text.find((certs / "ca-db").string()))
        text.replace(pos, (certs / "ca-db").string().size(), (dir.path / "ca-db").string());
    write(cnf, text);
    return cnf;
}

}  // namespace dg::test
