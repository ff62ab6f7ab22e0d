// The plugin's one exported entry: name, version, kind, description and rule table.
#include "birthday/rules.hpp"

SHOPRULES_PLUGIN("birthday", "1.0.0", "loyalty", "A coupon for the customer's birthday",
                 birthday::kRules);
