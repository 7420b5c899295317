#pragma once
// A wijziging's changes, judged against the record they change (messages.md, wijziging): only the
// fields the changed record's type lets a change set (policy `changeable`), and the record as
// changed passes every check of its type, judged on the wijziging's verzondenOp, and its schema.
#include "api/ingest.hpp"

namespace dg {

// `change` is the accepted wijziging (its canonical data holds the changes); `target` the active
// record it names, the sender's own. On success fills change.new_data, new_retention and
// changed_fields and returns no problems.
Problems judge_change(StoredRecord& change, const StoredRecord& target, const Snapshot& snapshot, const Party& sender, const Date& sent,
                      WireFormat format);

// A record's canonical JSON as the fields a reader would have handed over.
Melding melding_from_json(const std::string& data);

}  // namespace dg
