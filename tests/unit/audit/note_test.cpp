// C2SP signed notes as the witness and the gateway read them: strict base64, the note's shape, and
// key hashes as the specification defines them (computed here independently with OpenSSL).
#include <boost/test/unit_test.hpp>

#include <openssl/sha.h>

#include "audit/note.hpp"

using namespace dg;

BOOST_AUTO_TEST_SUITE(signed_note)

BOOST_AUTO_TEST_CASE(base64_is_strict) {
    BOOST_TEST(note::unbase64("aGk=").value() == "hi");
    BOOST_TEST(note::base64("hi") == "aGk=");
    for (const char* bad : {"aGk", "aG=k", "aGk=\n", " aGk=", "aGl=", "a+/=", ""}) BOOST_TEST(!note::unbase64(bad), bad);
}

BOOST_AUTO_TEST_CASE(notes_and_checkpoints_parse_as_the_spec_writes_them) {
    const std::string root(32, '\x07');
    const std::string text = "example.org/log\n42\n" + note::base64(root) + "\nextension line\n";
    const auto n = note::parse(text + "\n" + note::signature_line("example.org/log", std::string(68, 'x')) +
                               note::signature_line("w.example", std::string(76, 'y')));
    BOOST_REQUIRE(n);
    BOOST_TEST(n->text == text);
    BOOST_TEST(n->signatures.size() == 2u);
    BOOST_TEST(n->signatures[1].name == "w.example");
    const auto c = note::parse_checkpoint(n->text);
    BOOST_REQUIRE(c);
    BOOST_TEST(c->origin == "example.org/log");
    BOOST_TEST(c->size == 42u);
    BOOST_TEST(std::string(c->root.begin(), c->root.end()) == root);
    // Not notes: no signature, no blank line, a line without the em dash, two spaces, no final newline.
    for (const std::string& bad : {text, text + "\n", text + "\n- w " + note::base64("12345") + "\n", text + "\n\u2014 w  x\n",
                                   text + "\n" + note::signature_line("w", "12345").substr(0, 10)})
        BOOST_TEST(!note::parse(bad));
    for (const std::string& bad : {std::string("o\n042\n") + note::base64(root) + "\n", std::string("o\n1\nAAAA\n"), std::string("o\n1\n")})
        BOOST_TEST(!note::parse_checkpoint(bad));
}

BOOST_AUTO_TEST_CASE(key_hash_is_the_first_four_bytes_of_sha256_of_name_newline_type_key) {
    note::PublicKey k{std::string(32, '\x01')};
    const std::string input = std::string("w.example") + "\n" + "\x04" + k.raw;
    unsigned char md[32];
    SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), md);
    BOOST_TEST(note::key_hash("w.example", note::kCosignatureV1, k) == std::string(reinterpret_cast<char*>(md), 4));
    BOOST_TEST(note::key_hash("w.example", note::kEd25519, k) != note::key_hash("w.example", note::kCosignatureV1, k));
}

BOOST_AUTO_TEST_SUITE_END()
