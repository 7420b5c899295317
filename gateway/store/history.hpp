#pragma once
// The detail of each history event, as every store writes it (the API passes it on as JSON).
#include <string>

namespace dg::history {

std::string withdrawn(const std::string& intrekking_id);
std::string status(const std::string& new_status, const std::string& trajectmelding_id);
std::string moved(const std::string& from_region, const std::string& from_gemeente, const std::string& to_region,
                  const std::string& to_gemeente, const std::string& verhuizing_id);

}  // namespace dg::history
