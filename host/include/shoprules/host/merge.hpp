// The merge policy for actions of one type emitted by several rules (SPEC section 3).
#pragma once

#include <cstdint>
#include <vector>

#include "shoprules/action.hpp"
#include "shoprules/host/config.hpp"

namespace shoprules::host {

/// Merges kept actions of the same type, in place:
/// - shipping.upgrade keeps the fastest `to` (the first of equals);
/// - points.award sums `points` into the first;
/// - refund.issue keeps the largest `amount`;
/// - vip.grant unions `customers` and `benefits` into the first;
/// - coupon.issue keeps the most valuable (an `amount`, or `percent` of the order subtotal);
/// - points.expire keeps the largest `points` (a balance expires once);
/// - exchange.ship keeps one per returned line (`returned_sku`), the first.
/// Every other type is kept as emitted. What is merged away stays in `actions` with status Merged
/// and a note naming the action it went into, so the trace can say so.
void merge_actions(ActionList& actions, const StoreConfig& store, std::int64_t order_subtotal);

}  // namespace shoprules::host
