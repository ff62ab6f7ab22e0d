// The plugin author's one include: event model, actions, rules, params and the export macro.
#pragma once

#include "shoprules/action.hpp"
#include "shoprules/calendar.hpp"
#include "shoprules/event.hpp"
#include "shoprules/goodwill.hpp"
#include "shoprules/money.hpp"
#include "shoprules/plugin.hpp"
#include "shoprules/rule.hpp"
#include "shoprules/same_text.hpp"
#include "shoprules/text.hpp"
#include "shoprules/value.hpp"
